/** A backup strategy that keeps a fixed number of versions per file. */
package org.flocksy.plugins.backupsimple;
