/** A conflict resolver for users who want one file per name: the newer edit wins, the other is set aside. */
package org.flocksy.plugins.conflictnewest;
