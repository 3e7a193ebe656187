/** The default backup strategy: a trash can that empties itself after a number of days. */
package org.flocksy.plugins.backuptrashcan;
