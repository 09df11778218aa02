/**
 * TEST STAND-INS for Apache Mesos (master, agent) and Marathon, which have no binaries for the
 * project's test machines. They live in test code only; nothing in the shipped operator uses them.
 *
 * <p>Each reads the same files the real packages read ({@code /etc/mesos/zk}, one flag per file
 * under {@code /etc/mesos-master}, {@code /etc/mesos-slave}, {@code /etc/marathon/conf}, all under
 * {@code $MESOS_OPERATOR_ROOT}), refuses to start when a required one is missing or malformed,
 * elects its leader through the real ZooKeeper ensemble, and serves the documented HTTP endpoints
 * the operator reads. {@link io.mesosoperator.standin.StandIns} installs them on a node as {@code
 * /etc/init.d/mesos-master}, {@code mesos-slave} and {@code marathon}.
 */
package io.mesosoperator.standin;
