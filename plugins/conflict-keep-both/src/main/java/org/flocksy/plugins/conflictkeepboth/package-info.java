/** The default conflict resolver: nothing is lost, the later edit keeps the name. */
package org.flocksy.plugins.conflictkeepboth;
