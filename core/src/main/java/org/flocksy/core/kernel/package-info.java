/** Wiring and lifecycle of one node: Guice module, start in dependency order, close in reverse. */
package org.flocksy.core.kernel;
