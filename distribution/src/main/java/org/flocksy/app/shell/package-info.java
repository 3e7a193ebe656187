/** The interactive shell over a terminal: line editing, completion from the command tree, history, and the run in progress on a status line. */
package org.flocksy.app.shell;
