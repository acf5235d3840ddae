/**
 * Network drivers behind one interface, as netavark has them: {@link io.podnet.engine.driver.NetworkDriver}
 * attaches a pod to a network and detaches it; {@link io.podnet.engine.driver.NetworkDrivers} picks the
 * driver a network definition names. Only the managed bridge exists so far; macvlan and ipvlan are to be
 * its siblings. Drivers use the apply steps ({@code engine.apply}) on an uplink ({@code engine.uplink}).
 */
package io.podnet.engine.driver;
