/** A backup strategy that keeps many recent versions and fewer old ones, as Syncthing's staggered versioning. */
package org.flocksy.plugins.backupstaggered;
