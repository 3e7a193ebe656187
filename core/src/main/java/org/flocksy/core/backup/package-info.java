/**
 * Versions: replaced and deleted files kept in each box's {@code .flocksy/versions/} under their original
 * paths, pruned by the box's backup strategy plugin; listed and restored for the shell.
 */
package org.flocksy.core.backup;
