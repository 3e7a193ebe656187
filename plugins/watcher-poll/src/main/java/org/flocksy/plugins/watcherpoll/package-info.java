/** File watcher plugin that works everywhere by comparing snapshots of the tree. */
package org.flocksy.plugins.watcherpoll;
