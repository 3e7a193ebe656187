/** Time, injected: the kernel never reads the system clock directly, so a virtual clock can drive it. */
package org.flocksy.core.clock;
