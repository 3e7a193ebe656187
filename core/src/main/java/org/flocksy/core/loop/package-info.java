/** The kernel's one event thread: everything that touches protocol or sync state runs on it. */
package org.flocksy.core.loop;
