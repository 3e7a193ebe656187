/**
 * The flocksy plugin SPI: extension points a plugin implements and the immutable values they exchange
 * with the kernel. Nothing here depends on the kernel; plugins compile against this package and PF4J only.
 */
package org.flocksy.api;
