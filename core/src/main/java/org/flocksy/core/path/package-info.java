/** Box-relative paths: the form they travel in, and the checks a path from a peer passes before the disk is touched. */
package org.flocksy.core.path;
