/**
 * The only agent classes the instrumented application code links against. At start the agent
 * puts these classes on the bootstrap class path (Byte Buddy's {@code ClassInjector}), so advice
 * inlined into any class, whatever its class loader, resolves them; they use JDK types only. Nothing
 * else of the agent may touch them before that injection (see {@code BootstrapInjector}).
 */
package io.parikshan.agent.boot;
