/**
 * The one emission scheduler per node: heartbeats on the jittered period and, during a run, file frames on
 * the group-wide slot grid, real or fake chosen at the moment of emission.
 */
package org.flocksy.core.scheduler;
