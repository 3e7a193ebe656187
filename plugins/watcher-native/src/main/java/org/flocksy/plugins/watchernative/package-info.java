/** File watcher plugin on the operating system's recursive notifications (directory-watcher). */
package org.flocksy.plugins.watchernative;
