/**
 * Network drivers behind one interface, as netavark has them: {@link io.podnet.engine.driver.NetworkDriver}
 * refuses what it cannot build, attaches a pod to a network and detaches it;
 * {@link io.podnet.engine.driver.NetworkDrivers} picks the driver a network definition names. The managed
 * bridge ({@code BridgeDriver}: a veth pair per pod on a host bridge) and macvlan and ipvlan
 * ({@code ParentLinkDriver}: a link on a host interface, inside the pod only). Drivers use the apply steps
 * ({@code engine.apply}) on an uplink ({@code engine.uplink}).
 */
package io.podnet.engine.driver;
