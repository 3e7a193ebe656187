/** PF4J over the plugins folder: finds box sources and file watchers, isolates plugins that fail. */
package org.flocksy.core.plugin;
