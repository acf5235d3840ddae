package io.podnet.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.podnet.engine.InterfaceCounters;
import io.podnet.engine.PodNetworkEngine;
import io.podnet.engine.PodRequest;
import io.podnet.engine.PodResult;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.RootlessStatus;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;

/**
 * An engine that builds nothing: it records what it is asked, answers setups with a configurable
 * result, refuses or fails the pods it is told to, and reports the counters, rootless status and
 * netlink answer it is given, so the operator and the metrics can be tested without root.
 */
public final class FakeEngine implements PodNetworkEngine {
    private final List<PodRequest> setups = new CopyOnWriteArrayList<>();
    private final List<String> teardowns = new CopyOnWriteArrayList<>();
    private final AtomicInteger repairs = new AtomicInteger();
    private final AtomicInteger counterReads = new AtomicInteger();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Pod id -> what its setups throw until {@link #succeed} is called. */
    private final Map<String, RuntimeException> problems = new ConcurrentHashMap<>();
    private volatile Function<PodRequest, PodResult> results = FakeEngine::loopbackOnly;
    private volatile Map<String, Map<String, InterfaceCounters>> counters = Map.of();
    private volatile RootlessStatus rootless = new RootlessStatus(false, 0, 0, 0, 0, 0);
    private volatile Map<String, Long> dnsQueries = Map.of();
    private volatile java.util.List<String> definitionProblems = java.util.List.of();
    private volatile java.util.List<String> pendingDefinitions = java.util.List.of();
    private volatile int usableDefinitions;
    private volatile boolean netlinkAnswers = true;

    /** Every setup that does not throw returns this result. */
    public FakeEngine returning(PodResult result) {
        return returning(request -> result);
    }

    /** Every setup that does not throw returns what this makes of its request. */
    public FakeEngine returning(Function<PodRequest, PodResult> results) {
        this.results = results;
        return this;
    }

    /** The pod's setups are refused, as the engine refuses a request it cannot build. */
    public FakeEngine reject(String podId, Stage stage, String reason, String message) {
        problems.put(podId, new RejectedRequestException(stage, reason, message));
        return this;
    }

    /** The pod's setups fail, as a kernel step does. */
    public FakeEngine fail(String podId, Stage stage, String reason, String message) {
        problems.put(podId, new SetupFailedException(stage, reason, message, null));
        return this;
    }

    /** What {@link #interfaceCounters()} reads from now on: pod id -> interface -> counters. */
    public FakeEngine counting(Map<String, Map<String, InterfaceCounters>> counters) {
        this.counters = Map.copyOf(counters);
        return this;
    }

    /** What {@link #usableNetworkDefinitions()} and {@link #networkDefinitionProblems()} report from now on. */
    public FakeEngine networkDefinitions(int usable, java.util.List<String> problems) {
        this.usableDefinitions = usable;
        this.definitionProblems = java.util.List.copyOf(problems);
        return this;
    }

    @Override
    public java.util.List<String> networkDefinitionProblems() {
        return definitionProblems;
    }

    /** What {@link #pendingNetworkDefinitions()} reports from now on. */
    public FakeEngine pendingNetworkDefinitions(java.util.List<String> pending) {
        this.pendingDefinitions = java.util.List.copyOf(pending);
        return this;
    }

    @Override
    public java.util.List<String> pendingNetworkDefinitions() {
        return pendingDefinitions;
    }

    @Override
    public int usableNetworkDefinitions() {
        return usableDefinitions;
    }

    /** What {@link #dnsQueries()} reports from now on. */
    public FakeEngine dnsQueries(Map<String, Long> byResult) {
        this.dnsQueries = Map.copyOf(byResult);
        return this;
    }

    @Override
    public Map<String, Long> dnsQueries() {
        return dnsQueries;
    }

    /** What {@link #rootlessStatus()} reports from now on. */
    public FakeEngine rootless(RootlessStatus status) {
        this.rootless = status;
        return this;
    }

    /** Whether {@link #netlinkAnswers()} says the host namespace answers (it does until told otherwise). */
    public FakeEngine netlinkAnswering(boolean answers) {
        this.netlinkAnswers = answers;
        return this;
    }

    /** The pod's setups succeed again. */
    public FakeEngine succeed(String podId) {
        problems.remove(podId);
        return this;
    }

    @Override
    public PodResult setup(PodRequest request) {
        setups.add(request);
        RuntimeException problem = problems.get(request.id());
        if (problem != null) {
            throw problem;
        }
        known.add(request.id());
        return results.apply(request);
    }

    @Override
    public void teardown(String podId) {
        teardowns.add(podId);
        known.remove(podId);
    }

    @Override
    public void repairNode() {
        repairs.incrementAndGet();
    }

    @Override
    public Set<String> knownPods() {
        return new TreeSet<>(known);
    }

    @Override
    public Map<String, Map<String, InterfaceCounters>> interfaceCounters() {
        counterReads.incrementAndGet();
        return counters;
    }

    @Override
    public RootlessStatus rootlessStatus() {
        return rootless;
    }

    @Override
    public boolean netlinkAnswers() {
        return netlinkAnswers;
    }

    /** The requests of every setup, in order, whether it succeeded or not. */
    public List<PodRequest> setups() {
        return new ArrayList<>(setups);
    }

    /** The pod ids torn down, in order. */
    public List<String> teardowns() {
        return new ArrayList<>(teardowns);
    }

    public int repairs() {
        return repairs.get();
    }

    /** How often {@link #interfaceCounters()} was called: each call is a netlink dump in the real engine. */
    public int counterReads() {
        return counterReads.get();
    }

    /** A namespace of the pod's own and no networks. */
    public static PodResult loopbackOnly(PodRequest request) {
        return new PodResult(Path.of("/run/netns/podnet-" + request.id()), Map.of(), null, null, null, List.of());
    }

    /** One network with one interface and one address: what a plain one-network pod gets. */
    public static PodResult oneInterface(String network, String ifname, String mac, String cidr, String gateway) {
        PodResult.InterfaceResult iface = new PodResult.InterfaceResult(MacAddress.parse(mac),
                List.of(new PodResult.AddressResult(Cidr.parse(cidr), gateway == null ? null : IpAddresses.parse(gateway))));
        return new PodResult(Path.of("/run/netns/podnet-fake"), Map.of(network, new PodResult.NetworkResult(Map.of(ifname, iface),
                List.of(), List.of())), null, null, null, List.of());
    }
}
