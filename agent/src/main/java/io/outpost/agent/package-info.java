/** Outpost agent. */
package io.outpost.agent;
