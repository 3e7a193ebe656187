/** The template for a conflict resolver plugin: copy this module, rename it, change {@code resolve}. */
package org.flocksy.plugins.exampleresolver;
