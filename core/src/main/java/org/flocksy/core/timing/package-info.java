/** The protocol's clock values every node of a flock shares: heartbeat period, frame rate, offsets, deadlines. */
package org.flocksy.core.timing;
