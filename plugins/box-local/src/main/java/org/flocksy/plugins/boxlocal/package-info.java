/** Box source plugin: boxes that are directories on a local file system. */
package org.flocksy.plugins.boxlocal;
