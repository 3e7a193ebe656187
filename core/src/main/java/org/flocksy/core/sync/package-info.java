/**
 * The sync engine: what each box holds, which local changes are pending, the snapshot a run sends and
 * the temp file a run receives into, verified and renamed atomically.
 */
package org.flocksy.core.sync;
