/**
 * An example probe suite for the demo service ({@code deploy/demo/SampleService.java}): what a user
 * writes, builds with {@code mvn package} and loads into a clone with {@code parikshan probe load}.
 */
package io.parikshan.examples;
