/** A local server speaking the Metered Realtime Messaging protocol. */
package io.outpost.relay;
