/**
 * Settings from the seed's command line, its {@code key = value} file and the JSON key files, checked
 * once at start into immutable values; every error names the file and line or the flag.
 */
package org.flocksy.core.config;
