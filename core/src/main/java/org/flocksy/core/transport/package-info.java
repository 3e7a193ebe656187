/**
 * JeroMQ with CurveZMQ: one PUB socket (CURVE server) per own hostname, one SUB socket (CURVE client) per
 * peer, a ZAP handler that admits only keystore keys, and the traffic counters.
 */
package org.flocksy.core.transport;
