/** The {@code flocksy} command line: the seed's flags, the daemon, key creation and the demo. */
package org.flocksy.app.cli;
