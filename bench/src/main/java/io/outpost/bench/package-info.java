/** Benchmarks. */
package io.outpost.bench;
