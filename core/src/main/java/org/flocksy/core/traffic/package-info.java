/** Counters of the frames and bytes a node sent and received, for operators and the anonymity checks. */
package org.flocksy.core.traffic;
