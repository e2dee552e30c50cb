"""What every output of nemsim means: the source of docs/outputs.md.

Each summary.json key is described once, by a pattern in which <...>
stands for a name from the scenario ('connections.<connection>.reads').
`python3 tools/outputs_doc.py` writes docs/outputs.md from this table;
tests/python/test_outputs.py runs real scenarios and fails when
summary.json has a key no pattern here matches, when a pattern matches
no key of any of those runs, or when docs/outputs.md is not what this
module renders.  So a key added to the simulator cannot stay
undocumented.

Time bases: "window" means over the measurement window
(sim.measure_from_s to sim.measure_to_s: [simulation] warmup and
measure_until); "run" means from time 0 to the end of the run; "fixed"
is a property of the scenario, not a measurement.
"""
import re

# (pattern, unit, time base, meaning)
SUMMARY = [
    # ---- sim -------------------------------------------------------------
    ("sim.scenario", "text", "fixed",
     "file name of the scenario that was run"),
    ("sim.overrides", "text", "fixed",
     "the --set overrides of this run (a sweep point's swept values), "
     "space-separated group.key=value"),
    ("sim.seed", "integer", "fixed",
     "the scenario seed; every random stream derives from it and the "
     "component's name"),
    ("sim.version", "text", "fixed", "nemsim's version"),
    ("sim.scenario_sha256", "text", "fixed",
     "SHA-256 of the resolved scenario (scenario.resolved.ini) and of the "
     "content of every file it names (a [clients] trace): two runs "
     "with the same hash ran the same experiment (docs/sweeps.md)"),
    ("sim.simulated_s", "s", "run", "simulated time ([simulation] duration)"),
    ("sim.measure_from_s", "s", "fixed",
     "start of the measurement window ([simulation] warmup)"),
    ("sim.measure_to_s", "s", "fixed",
     "end of the measurement window ([simulation] measure_until, default "
     "the end of the run)"),
    ("sim.events", "count", "run", "events the engine executed"),

    # ---- connections -------------------------------------------------------
    ("connections.<connection>.throughput_mbps", "Mb/s (10^6 bit/s)",
     "window",
     "application payload delivered to the receiving application in the "
     "measurement window, divided by its length: the number the paper "
     "reports"),
    ("connections.<connection>.receiver_port", "port", "fixed",
     "TCP port the receiver listens on (5001 + the connection's index)"),
    ("connections.<connection>.sender_port", "port", "run",
     "the sender's (ephemeral) TCP port, as the receiver accepted it; 0 "
     "if the connection was never accepted"),
    ("connections.<connection>.sender_ipv4", "text", "run",
     "the sender's IPv4 address as the receiver accepted it (0.0.0.0 if "
     "never accepted)"),
    ("connections.<connection>.account.driver_waiting_runnable", "share",
     "window",
     "Nemesis sender: share of the window the host's driver domain (its "
     "TX thread serves every channel) was runnable and did not run"),
    ("connections.<connection>.account.channel_full_refusals", "count",
     "run",
     "Nemesis sender: times the application found its transmit channel "
     "full (channels.<connection>.full_refusals)"),
    ("connections.<connection>.account.channel_idle_with_slice_left",
     "count", "run",
     "Nemesis sender: times its channel went idle with slice left, "
     "nothing to send (channels.<connection>.idle_with_slice_left)"),
    ("connections.<connection>.account.sender_cpu_busy", "share", "window",
     "share of the window the sending host's CPU was busy (all domains, or "
     "a Unix host's kernel and user time)"),
    ("connections.<connection>.account.receiver_cpu_busy", "share",
     "window", "the same for the receiving host"),
    ("connections.<connection>.account.link_utilization", "share",
     "window", "links.<link>.utilization of the sender's link"),
    ("connections.<connection>.limited_by", "text", "window",
     "what limited the connection, one verdict, the first that holds in "
     "this order: nothing (no data reached the receiver), loss (TCP's "
     "retransmission timer expired and at least 0.5% of the bytes were "
     "sent again), cpu_contract (the sending domain "
     "waited runnable at least 20% of the window and at least as long as "
     "it was blocked, without extra time), cpu_slack (the same, with extra "
     "time: it waited for slack), tx_reservation (a channel without extra "
     "time carried at least 95% of theory_payload_mbps), driver_cpu (the "
     "driver domain waited runnable at least half the window while the "
     "channel was found full), receiver_window (the domain was blocked at "
     "least half the window and the channel went idle with slice left: "
     "TCP's window closed), host_cpu / receiver_cpu (the sending / "
     "receiving host's CPU busy at least 98%; receiver_cpu also when a "
     "Nemesis receiver's domain NAME_rx waited runnable at least 20%), medium (the sender's link "
     "busy at least 80%), receiver_app (sink = rate), application (bytes or "
     "stop set), tcp_window (none of these: TCP's window and the ACK clock "
     "set the rate). Computed by cli/explain.c from the results in this "
     "file; `nemsim explain DIR` prints it"),
    ("connections.<connection>.limited_reason", "text", "window",
     "one line with the numbers limited_by rests on"),
    ("connections.<connection>.account.ran_contracted", "share", "window",
     "Nemesis sender: share of the window the sending domain ran in its "
     "slices (domains.<connection>.contracted_share)"),
    ("connections.<connection>.account.ran_slack", "share", "window",
     "Nemesis sender: share of the window it ran in slack time"),
    ("connections.<connection>.account.waiting_runnable", "share", "window",
     "Nemesis sender: share of the window it was runnable and did not run "
     "(no slice left and no slack for it)"),
    ("connections.<connection>.account.blocked", "share", "window",
     "Nemesis sender: share of the window it waited for something (room "
     "in its transmit channel, TCP's window, its own pacing); the four "
     "account shares add up to 1"),
    ("connections.<connection>.bytes_delivered", "bytes", "run",
     "payload bytes the receiving application read"),
    ("connections.<connection>.bytes_delivered_in_window", "bytes",
     "window", "the same, read inside the measurement window"),
    ("connections.<connection>.corrupt_bytes", "bytes", "run",
     "bytes the receiver read that differ from what the sender wrote "
     "(always 0 unless the TCP is broken)"),
    ("connections.<connection>.reads", "count", "run",
     "read calls of the receiving application that returned data"),
    ("connections.<connection>.sndpack", "segments", "run",
     "data segments the sender's TCP sent (4.4BSD tcps_sndpack, for this "
     "connection)"),
    ("connections.<connection>.sndbyte", "bytes", "run",
     "data bytes the sender sent, retransmissions excluded"),
    ("connections.<connection>.sndrexmitpack", "segments", "run",
     "data segments the sender retransmitted"),
    ("connections.<connection>.sndrexmitbyte", "bytes", "run",
     "data bytes the sender retransmitted"),
    ("connections.<connection>.sndacks", "segments", "run",
     "pure ACKs the sender's TCP sent (the handshake's, mostly)"),
    ("connections.<connection>.rcvpack", "segments", "run",
     "in-sequence data segments the sender's TCP received (0 for a "
     "one-way transfer)"),
    ("connections.<connection>.rcvbyte", "bytes", "run",
     "in-sequence data bytes the sender's TCP received"),
    ("connections.<connection>.rcvduppack", "segments", "run",
     "duplicate data segments the sender's TCP received"),
    ("connections.<connection>.rcvdupack", "segments", "run",
     "duplicate ACKs the sender received"),
    ("connections.<connection>.rcvoopack", "segments", "run",
     "out-of-order data segments the sender's TCP received"),
    ("connections.<connection>.rexmttimeo", "count", "run",
     "retransmission timeouts of the sender"),
    ("connections.<connection>.fastrexmt", "count", "run",
     "fast retransmits (third duplicate ACK) of the sender"),
    ("connections.<connection>.persisttimeo", "count", "run",
     "persist timeouts (window probes) of the sender"),
    ("connections.<connection>.delack", "count", "run",
     "delayed ACKs the sender's TCP sent"),
    ("connections.<connection>.rcvd_app", "bytes", "run",
     "bytes the application on the sender's side read (0: tcp_send only "
     "writes)"),

    # ---- Nemesis domains and CPUs -------------------------------------------
    ("domains.<domain>.cpu_share", "fraction of 1", "window",
     "share of the measurement window the domain ran: contracted_share + "
     "slack_share (domain switches charged to it included)"),
    ("domains.<domain>.contracted_share", "fraction of 1", "window",
     "share of the window it ran in contracted time (charged to its "
     "slice); this is what it received under contract, not its contract "
     "(the contract is its cpu_qos: slice / period)"),
    ("domains.<domain>.slack_share", "fraction of 1", "window",
     "share of the window it ran in slack time (extra flag set, nobody "
     "with slice left runnable)"),
    ("domains.<domain>.wait_share", "fraction of 1", "window",
     "share of the window it was runnable but not running: waiting for "
     "its next period, for slack, or for a domain with an earlier "
     "deadline"),
    ("domains.<domain>.contracted_ns", "ns", "run",
     "CPU time run in contracted time"),
    ("domains.<domain>.slack_ns", "ns", "run", "CPU time run as slack"),
    ("domains.<domain>.wait_ns", "ns", "run",
     "time runnable but not running"),
    ("domains.<domain>.switch_ns", "ns", "run",
     "part of its run time spent on domain switches to it"),
    ("domains.<domain>.work_done", "count", "run",
     "pieces of work (costed operations) its threads completed"),
    ("domains.<domain>.deadlines_missed", "count", "run",
     "periods whose deadline passed with contracted time still owed "
     "(counted once per period)"),
    ("domains.<domain>.activations", "count", "run",
     "times the scheduler switched to the domain"),
    ("domains.<domain>.wakeups", "count", "run",
     "blocked-to-runnable transitions"),
    ("domains.<domain>.long_blocks", "count", "run",
     "wake-ups after its deadline had passed (fresh period, deadline = "
     "now + latency hint)"),
    ("domains.<domain>.short_blocks", "count", "run",
     "wake-ups before its deadline (keeps deadline and remaining slice)"),
    ("cpus.<host>.idle_share", "fraction of 1", "window",
     "share of the window the Nemesis host's CPU was idle"),
    ("cpus.<host>.idle_ns", "ns", "run", "idle CPU time"),
    ("cpus.<host>.decisions", "count", "run", "Atropos scheduling passes"),
    ("cpus.<host>.events", "count", "run",
     "simulator events run on behalf of this CPU"),
    ("cpus.<host>.deferred_events", "count", "run",
     "inter-domain events held until the sending domain was descheduled "
     "([host] events = deferred)"),
    ("cpus.<host>.switches", "count", "run", "domain switches"),

    # ---- transmit channels ------------------------------------------------------
    ("channels.<connection>.frames", "frames", "run",
     "frames the driver's TX thread took from the connection's I/O "
     "channel and gave to the NIC"),
    ("channels.<connection>.bytes", "bytes", "run",
     "their bytes (Ethernet header + IP packet, no FCS)"),
    ("channels.<connection>.tx_mbps", "Mb/s", "window",
     "frame bits handed to the NIC in the window per second (headers "
     "included: above throughput_mbps)"),
    ("channels.<connection>.theory_payload_mbps", "Mb/s", "fixed",
     "what the reservation carries as TCP payload if always backlogged "
     "with MTU frames: slice/period x link rate x 1460/1514"),
    ("channels.<connection>.contracted_ms", "ms", "run",
     "transmission time charged to the channel's slice"),
    ("channels.<connection>.slack_ms", "ms", "run",
     "transmission time sent in slack (extra flag; accounted only)"),
    ("channels.<connection>.periods", "count", "run",
     "refills of the channel's slice (periods begun while it had work)"),
    ("channels.<connection>.full_refusals", "count", "run",
     "packets the channel refused because it was full"),
    ("channels.<connection>.tx_waits", "count", "run",
     "times the application's send found the channel full and waited "
     "for a free slot (Nemesis host)"),
    ("channels.<connection>.rx_no_buffer", "frames", "run",
     "frames for this connection (or server) the driver dropped because "
     "it had no receive buffer posted (Nemesis host)"),
    ("channels.<connection>.idle_entries", "count", "run",
     "times the scheduler found the channel empty and made it idle"),
    ("channels.<connection>.idle_with_slice_left", "count", "run",
     "... of which with slice left: the sender had nothing to send "
     "(typically the peer's window was closed)"),
    ("channels.<connection>.slice_forfeited_ms", "ms", "run",
     "slice time lost by those idle entries (the release drops the "
     "remaining slice of an idle channel)"),
    ("channels.<connection>.idle_arrivals_before_deadline", "count", "run",
     "packets that arrived at an idle channel before its deadline (it "
     "gets no slice until the deadline: only slack)"),
    ("channels.<connection>.suspensions", "count", "run",
     "times the driver made the channel idle because its return FIFO "
     "could not take the buffers the driver holds plus a packet (the "
     "release's netif rule: the application reclaims its buffers late)"),
    ("channels.<connection>.reclaimed", "packets", "run",
     "packets whose buffers the application (InetMod) took back from the "
     "return FIFO after the card sent them"),
    ("channels.<connection>.slack_idled", "count", "run",
     "times the slack search found the channel waiting and empty and made "
     "it idle (its debt dropped, the release's rule)"),
    ("tx.<host>.slack_pauses", "count", "run",
     "times the transmit scheduler paused after a 20 ms slack turn because "
     "no other channel could take one (the release's rule)"),

    # ---- hosts -----------------------------------------------------------------------
    ("hosts.<host>.ipv4", "text", "fixed",
     "the host's IPv4 address (see the naming rules)"),
    ("hosts.<host>.mac", "text", "fixed",
     "the host's MAC address, as in captures"),
    ("hosts.<host>.rx_frames", "frames", "run",
     "frames the host's driver received from its NIC"),
    ("hosts.<host>.rx_not_tcp", "frames", "run",
     "Nemesis: received frames that were not TCP/IPv4 for this host"),
    ("hosts.<host>.rx_no_filter", "frames", "run",
     "Nemesis: TCP frames no packet filter claimed (no such connection)"),
    ("hosts.<host>.rx_no_buffer", "frames", "run",
     "Nemesis: frames dropped because the connection had no posted "
     "receive buffer"),
    ("hosts.<host>.filters_installed", "count", "run",
     "Nemesis: packet filters the flow manager installed"),
    ("hosts.<host>.tx_frames", "frames", "run",
     "Unix: frames the kernel handed to the NIC"),
    ("hosts.<host>.ifq_drops", "frames", "run",
     "Unix: frames dropped because the interface queue was full"),
    ("hosts.<host>.ifq_max", "frames", "run",
     "Unix: longest interface queue seen"),
    ("hosts.<host>.kernel_cpu_share", "fraction of 1", "run",
     "Unix: share of the whole run the CPU spent in the kernel "
     "(interrupts, IP, TCP)"),
    ("hosts.<host>.user_cpu_share", "fraction of 1", "run",
     "Unix: share of the whole run spent in processes (tcp_send, the "
     "sink's reads)"),

    # ---- Ethernet ------------------------------------------------------------------------
    ("nics.<host>.frames_sent", "frames", "run",
     "frames sent successfully"),
    ("nics.<host>.bytes_sent", "bytes", "run",
     "their bytes (destination address to payload, no preamble or FCS)"),
    ("nics.<host>.frames_received", "frames", "run",
     "good frames accepted for this NIC"),
    ("nics.<host>.bytes_received", "bytes", "run", "their bytes"),
    ("nics.<host>.attempts", "count", "run", "transmission starts"),
    ("nics.<host>.collisions", "count", "run", "attempts that collided"),
    ("nics.<host>.late_collisions", "count", "run",
     "collisions after the first slot time of the frame"),
    ("nics.<host>.deferrals", "frames", "run",
     "frames whose first attempt had to wait for the medium"),
    ("nics.<host>.excessive_collisions", "frames", "run",
     "frames dropped after 16 attempts"),
    ("nics.<host>.rx_fragments", "count", "run",
     "collision fragments seen and discarded"),
    ("nics.<host>.rx_filtered", "frames", "run",
     "good frames not addressed to this NIC"),
    ("nics.<host>.rx_lost", "frames", "run",
     "frames for this NIC discarded by the loss model ([link] loss)"),
    ("nics.<host>.backoff_ns", "ns", "run", "time spent in backoff"),
    ("nics.<host>.utilization", "fraction of 1", "window",
     "share of the window this NIC's successful frames occupied the "
     "wire (preamble to FCS)"),
    ("nics.<host>.frames_per_s", "frames/s", "window",
     "successful frames per second"),
    ("nics.<host>.collisions_per_frame", "ratio", "window",
     "collisions per successful frame, both counted in the window "
     "(so not collisions / frames_sent)"),
    ("nics.<host>.access_delay_mean_us", "µs", "window",
     "mean time from a frame reaching the head of the NIC's queue to the "
     "start of its successful attempt"),
    ("nics.<host>.access_delay_p99_us", "µs", "window",
     "99th percentile of that delay"),
    ("links.<link>.frames", "frames", "run",
     "hub: good frames repeated"),
    ("links.<link>.bytes", "bytes", "run", "hub: their bytes"),
    ("links.<link>.collisions", "count", "run",
     "hub: collision episodes (several stations colliding at once "
     "count once)"),
    ("links.<link>.fragments", "count", "run",
     "hub: truncated (jammed) signals repeated"),
    ("links.<link>.lost_undetected", "frames", "run",
     "hub: frames their senders finished without detecting a collision "
     "that garbled them (a round trip above 512 bit times; nemsim refuses "
     "such networks at check, so 0 unless the model is driven directly)"),
    ("links.<link>.signals", "count", "run",
     "hub: transmission starts of all stations"),
    ("links.<link>.deferrals", "frames", "run",
     "hub: sum of its stations' deferrals"),
    ("links.<link>.excessive_collisions", "frames", "run",
     "hub: sum of its stations' frames dropped after 16 attempts"),
    ("links.<link>.late_collisions", "count", "run",
     "hub: sum of its stations' late collisions"),
    ("links.<link>.backoff_ns", "ns", "run",
     "hub: sum of its stations' time in backoff"),
    ("links.<link>.utilization", "fraction of 1", "window",
     "hub: share of the window carrying good frames (preamble to FCS)"),
    ("links.<link>.frames_per_s", "frames/s", "window",
     "hub: good frames per second"),
    ("links.<link>.collisions_per_frame", "ratio", "window",
     "hub: collision episodes per good frame, both in the window (not "
     "collisions / frames, which are whole-run counts)"),
    ("links.<link>.access_delay_mean_us", "µs", "window",
     "hub: mean access delay over all its stations' frames"),
    ("links.<link>.access_delay_p99_us", "µs", "window",
     "hub: 99th percentile of the access delay"),
    ("links.<link>.jain_fairness", "index, 1/n..1", "window",
     "hub: Jain's fairness index of the good bytes sent, over the "
     "stations that tried to send"),
    ("links.<link>.<direction>.frames", "frames", "run",
     "full-duplex link: frames sent in one direction; <direction> is "
     "a_to_b or b_to_a (see naming rules)"),
    ("links.<link>.<direction>.bytes", "bytes", "run",
     "full-duplex link: their bytes"),
    ("links.<link>.<direction>.utilization", "fraction of 1", "window",
     "full-duplex link: share of the window that direction was busy"),
    ("links.<link>.forwarded", "frames", "run",
     "switch: unicast frames forwarded to the port of their destination"),
    ("links.<link>.flooded", "frames", "run",
     "switch: broadcast, multicast and unknown unicast frames sent to "
     "every other port"),
    ("links.<link>.filtered", "frames", "run",
     "switch: unicast frames for the port they came in on, discarded"),
    ("links.<link>.drops", "frames", "run",
     "switch: frames dropped at full output ports, all ports"),
    ("links.<link>.ports.<host>.frames_in", "frames", "run",
     "switch: frames received whole from the station on this port"),
    ("links.<link>.ports.<host>.bytes_in", "bytes", "run",
     "switch: their bytes"),
    ("links.<link>.ports.<host>.frames_out", "frames", "run",
     "switch: frames sent to the station on this port"),
    ("links.<link>.ports.<host>.bytes_out", "bytes", "run",
     "switch: their bytes"),
    ("links.<link>.ports.<host>.drops", "frames", "run",
     "switch: frames dropped because this output port held port_queue"),
    ("links.<link>.ports.<host>.max_queue", "frames", "run",
     "switch: most frames this output port held at once"),
    ("links.<link>.ports.<host>.utilization_out", "fraction of 1",
     "window", "switch: share of the window the port sent to its station"),
    ("links.<link>.ports.<host>.utilization_in", "fraction of 1",
     "window", "switch: share of the window the station sent to its port"),
    ("links.<link>.<direction>.drops", "packets", "run",
     "wan: packets refused by that direction's full output queue; "
     "<direction> is <host>_to_<host> on a wan link"),
    ("links.<link>.<direction>.lost", "packets", "run",
     "wan: packets lost on the line (loss model)"),
    ("links.<link>.<direction>.max_queue", "packets", "run",
     "wan: most packets the direction's queue held at once"),
    ("hosts.<host>.ip.forward", "packets", "run",
     "router: packets forwarded (4.4BSD ips_forward); a router's other "
     "ip counters are those of a host's IP, cantforward counting "
     "packets for the router itself or sent to a broadcast"),
    ("hosts.<host>.ip.ttlexpired", "packets", "run",
     "router: packets dropped with a TTL of 1 or less (4.4BSD sends "
     "ICMP time exceeded; nemsim's router sends no ICMP)"),
    ("hosts.<host>.if.<link>.ifq_drops", "packets", "run",
     "router: packets dropped at the full interface queue (50, "
     "IFQ_MAXLEN) of its interface on <link> (Ethernet links)"),
    ("hosts.<host>.if.<link>.ifq_max", "packets", "run",
     "router: longest interface queue seen on that interface"),

    # ---- raw-frame sources -------------------------------------------------------------
    ("sources.<source>.offered", "frames", "run", "frames generated"),
    ("sources.<source>.queued", "frames", "run",
     "... accepted by the NIC's ring"),
    ("sources.<source>.dropped", "frames", "run",
     "... refused because the ring was full (Poisson sources only)"),
    ("sources.<source>.sent", "frames", "run", "frames sent"),
    ("sources.<source>.failed", "frames", "run",
     "frames dropped after 16 collisions"),

    # ---- web servers and clients (cli/wire_web.c) ----------------------------
    ("servers.<server>.account.ran_contracted", "share", "window",
     "a site on a Nemesis host: share of the window its domain ran in its "
     "slices (domains.<server>.contracted_share)"),
    ("servers.<server>.account.ran_slack", "share", "window",
     "the same, in slack time"),
    ("servers.<server>.account.waiting_runnable", "share", "window",
     "share of the window its domain was runnable and did not run (no "
     "slice left and no slack for it): requests queued for its CPU"),
    ("servers.<server>.account.blocked", "share", "window",
     "share of the window its domain had nothing to run (waiting for "
     "requests, its channel, TCP); the four shares add up to 1"),
    ("servers.<server>.account.driver_waiting_runnable", "share", "window",
     "share of the window the host's driver domain (receive path, the TX "
     "thread that serves every site's channel) was runnable and did not "
     "run: a server every site shares"),
    ("servers.<server>.account.flowman_waiting_runnable", "share",
     "window",
     "the same for the flow manager, which installs a filter for every "
     "connection a site accepts"),
    ("servers.<server>.accepted", "connections", "run",
     "connections the server accepted"),
    ("servers.<server>.requests", "count", "run", "whole requests it read"),
    ("servers.<server>.responses", "count", "run",
     "responses it wrote to the end"),
    ("servers.<server>.bytes_sent", "bytes", "run",
     "response bytes its writes handed to TCP"),
    ("servers.<server>.request_bytes", "bytes", "run",
     "request bytes it read"),
    ("servers.<server>.corrupt_request_bytes", "bytes", "run",
     "request bytes that differ from what the client wrote (always 0 "
     "unless the TCP is broken)"),
    ("servers.<server>.bad_requests", "count", "run",
     "connections that ended inside a request (a client's abort)"),
    ("servers.<server>.resets", "count", "run",
     "connections that broke while it was answering"),
    ("servers.<server>.open_at_end", "connections", "run",
     "connections it still held when the run ended"),
    ("clients.<clients>.issued", "requests", "run",
     "requests issued (arrivals); = completed + failed + timed_out + "
     "outstanding"),
    ("clients.<clients>.completed", "requests", "run",
     "requests whose whole response arrived, every byte as asked for"),
    ("clients.<clients>.failed", "requests", "run",
     "requests that failed: failed_no_port + failed_reset + failed_short"),
    ("clients.<clients>.failed_no_port", "requests", "run",
     "... because no ephemeral port was free (4.4BSD in_pcbbind, ports "
     "1024-4999; connections in TIME_WAIT hold theirs)"),
    ("clients.<clients>.failed_reset", "requests", "run",
     "... because the connection was refused, reset or timed out by TCP"),
    ("clients.<clients>.failed_short", "requests", "run",
     "... because the server closed before the whole response"),
    ("clients.<clients>.timed_out", "requests", "run",
     "requests without their whole response [clients] timeout after "
     "they were issued (their connection aborted)"),
    ("clients.<clients>.outstanding", "requests", "run",
     "requests still under way when the run ended"),
    ("clients.<clients>.unaccounted", "requests", "run",
     "issued - completed - failed - timed_out - outstanding: always 0"),
    ("clients.<clients>.completed_in_window", "requests", "window",
     "requests completed inside the measurement window: the ones the "
     "response-time statistics take"),
    ("clients.<clients>.bytes_received", "bytes", "run",
     "response bytes the clients read"),
    ("clients.<clients>.bytes_received_in_window", "bytes", "window",
     "the same, read inside the measurement window"),
    ("clients.<clients>.corrupt_bytes", "bytes", "run",
     "response bytes that differ from what was asked for (always 0 "
     "unless the TCP is broken)"),
    ("clients.<clients>.throughput_mbps", "Mb/s (10^6 bit/s)", "window",
     "response bytes read in the window, per second of the window"),
    ("clients.<clients>.response_time_mean_s", "s", "window",
     "mean response time (from the request's arrival, the connect's "
     "start for HTTP/1.0, to the read of its last byte) of the requests "
     "completed inside the window; 0 if none"),
    ("clients.<clients>.response_time_p50_s", "s", "window",
     "median of the same (nearest rank)"),
    ("clients.<clients>.response_time_p90_s", "s", "window",
     "90th percentile of the same (nearest rank)"),
    ("clients.<clients>.response_time_p99_s", "s", "window",
     "99th percentile of the same (nearest rank)"),
]

# 4.4BSD's struct tcpstat (TCP/IP Illustrated Vol. 2, Figure 24.7) and
# struct ipstat, per host: hosts.<host>.tcp.<name>, hosts.<host>.ip.<name>.
TCPSTAT = [
    ("connattempt", "connections initiated"),
    ("accepts", "connections accepted"),
    ("connects", "connections established"),
    ("drops", "connections dropped"),
    ("conndrops", "embryonic connections dropped"),
    ("closed", "connections closed"),
    ("segstimed", "segments whose round trip was timed"),
    ("rttupdated", "round-trip time estimates updated"),
    ("delack", "delayed ACKs sent"),
    ("timeoutdrop", "connections dropped by retransmission timeout"),
    ("rexmttimeo", "retransmission timeouts"),
    ("persisttimeo", "persist timeouts"),
    ("keeptimeo", "keepalive timeouts"),
    ("keepprobe", "keepalive probes sent"),
    ("keepdrops", "connections dropped by keepalive"),
    ("sndtotal", "segments sent"),
    ("sndpack", "data segments sent"),
    ("sndbyte", "data bytes sent"),
    ("sndrexmitpack", "data segments retransmitted"),
    ("sndrexmitbyte", "data bytes retransmitted"),
    ("sndacks", "pure ACKs sent"),
    ("sndprobe", "window probes sent"),
    ("sndurg", "URG-only segments sent"),
    ("sndwinup", "window-update-only segments sent"),
    ("sndctrl", "control segments (SYN, FIN, RST) sent"),
    ("sndrst", "RSTs sent"),
    ("rcvtotal", "segments received"),
    ("rcvpack", "in-sequence data segments received"),
    ("rcvbyte", "in-sequence data bytes received"),
    ("rcvbadsum", "segments with a bad checksum"),
    ("rcvbadoff", "segments with a bad header offset"),
    ("rcvshort", "segments too short"),
    ("rcvduppack", "completely duplicate data segments"),
    ("rcvdupbyte", "completely duplicate data bytes"),
    ("rcvpartduppack", "partly duplicate data segments"),
    ("rcvpartdupbyte", "partly duplicate data bytes"),
    ("rcvoopack", "out-of-order data segments"),
    ("rcvoobyte", "out-of-order data bytes"),
    ("rcvpackafterwin", "segments with data beyond the window"),
    ("rcvbyteafterwin", "bytes beyond the window"),
    ("rcvafterclose", "segments received after close"),
    ("rcvwinprobe", "window probes received"),
    ("rcvdupack", "duplicate ACKs received"),
    ("rcvacktoomuch", "ACKs for data not yet sent"),
    ("rcvackpack", "ACKs that acknowledged new data"),
    ("rcvackbyte", "bytes acknowledged by them"),
    ("rcvwinupd", "window updates received"),
    ("pawsdrop", "segments dropped by PAWS"),
    ("predack", "header prediction hits for ACKs"),
    ("preddat", "header prediction hits for data"),
    ("persistdrop", "connections dropped in persist"),
    ("badsyn", "bogus SYNs received"),
    ("fastrexmt", "fast retransmits"),
    ("noport", "segments for no listening port (RST sent)"),
    ("listendrop", "SYNs dropped: listen queue full"),
    ("badflags", "segments with impossible flags"),
    ("sndenobufs", "sends refused by the interface (ENOBUFS)"),
    ("rcvreassfull", "segments dropped: reassembly queue full"),
]
IPSTAT = [
    ("total", "packets received"),
    ("badsum", "packets with a bad header checksum"),
    ("tooshort", "packets shorter than their length field"),
    ("toosmall", "packets without room for a header"),
    ("badhlen", "header length below 20 bytes"),
    ("badlen", "total length below the header length"),
    ("badvers", "IP version not 4"),
    ("fragdropped", "fragments dropped (no reassembly)"),
    ("cantforward", "packets not for this host (no forwarding)"),
    ("noproto", "packets of an unknown protocol"),
    ("delivered", "packets delivered to TCP"),
    ("localout", "packets sent"),
    ("noroute", "packets with no neighbour entry for the destination"),
    ("toolong", "packets larger than the MTU (refused)"),
    ("odropped", "packets the interface refused (ENOBUFS)"),
    ("badether", "frames with a wrong ethertype or destination"),
]
ICMPSTAT = [
    ("total", "ICMP messages received"),
    ("tooshort", "messages shorter than an ICMP header"),
    ("checksum", "messages with a bad checksum"),
    ("badcode", "messages with an unknown code for their type"),
    ("badlen", "errors without a whole IP header of the offending packet"),
    ("unreach", "destination unreachable, passed to TCP"),
    ("quench", "source quench, passed to TCP (tcp_quench)"),
    ("ignored", "other types (nemsim answers no echo, takes no redirect)"),
]
for _n, _m in ICMPSTAT:
    SUMMARY.append((f"hosts.<host>.icmp.{_n}", "count", "run",
                    f"the host's ICMP input: {_m}"))
for _n, _m in TCPSTAT:
    SUMMARY.append((f"hosts.<host>.tcp.{_n}", "count", "run",
                    f"the host's TCP, all connections: {_m}"))
for _n, _m in IPSTAT:
    SUMMARY.append((f"hosts.<host>.ip.{_n}", "count", "run",
                    f"the host's IP: {_m}"))

PERF = [
    ("wall_s", "s", "wall-clock time of the run loop (from the built "
     "world to the end of the run; not set-up, not the writing of results)"),
    ("events", "count", "events executed from the event queue (as sim.events)"),
    ("events_in_place", "count", "events run in place, not counted in "
     "events: a CPU's next completion that was also the next event of the "
     "whole run, run without going through the queue (the same events at "
     "the same times in the same order)"),
    ("events_per_s", "events/s", "events per wall-clock second"),
    ("simulated_s", "s", "simulated time"),
    ("simulated_s_per_wall_s", "ratio", "simulated seconds per wall second"),
    ("peak_rss_kib", "KiB", "peak resident memory of the process"),
    ("build_sha256", "text", "SHA-256 of the nemsim executable that made "
     "the run"),
]

# file -> (how it is asked for, [(column, unit, meaning)])
CSV = [
    ("throughput.csv", "always, when the scenario has connections; one "
     "sample every [output] interval", [
         ("time_s", "s", "end of the sampling interval"),
         ("connection", "name", "the connection ([connection.NAME])"),
         ("throughput_mbps", "Mb/s",
          "payload delivered to the receiving application during the "
          "interval ending at time_s, per second"),
     ]),
    ("cpu_<host>.csv", "[output] cpu_series = true; one row per domain "
     "(and one named idle) every interval", [
         ("time_s", "s", "end of the sampling interval"),
         ("cpu", "name", "the Nemesis host"),
         ("domain", "name", "the domain, or idle"),
         ("share", "fraction of 1",
          "share of the interval the domain ran (contracted + slack)"),
         ("contracted_share", "fraction of 1", "... in contracted time"),
         ("slack_share", "fraction of 1", "... as slack"),
     ]),
    ("schedule.csv", "[output] schedule_from and schedule_to; one row "
     "per interval, clipped to the two times (the paper's Figure 2)", [
         ("start_ns", "ns", "start (simulated time, exact)"),
         ("end_ns", "ns", "end"),
         ("resource", "name", "cpu.<host> (the Nemesis CPU) or tx.<host> "
          "(its transmit scheduler)"),
         ("who", "name", "the domain that ran (or idle), or the channel "
          "whose frame was handed to the card"),
         ("kind", "contracted / slack / idle",
          "under contract, in slack, or the CPU idle; for tx rows the "
          "interval is the link time the frame was charged"),
     ]),
    ("responses.csv", "always, when the scenario has [clients]; one row "
     "per request, when it ends (completed, failed or timed out; at the "
     "end of the run, one for each still outstanding)", [
         ("customer", "name", "the [clients.NAME] group"),
         ("start_s", "s", "when the request was issued (its arrival)"),
         ("response_time_s", "s",
          "completed: arrival to the read of its last byte; otherwise the "
          "time from arrival to when it failed, timed out, or the run ended"),
         ("bytes", "bytes", "response bytes received"),
         ("outcome", "completed / failed / timed_out / outstanding",
          "how it ended"),
     ]),
    ("timeseq_<connection>.csv", "[output] timeseq = NAME, ...; one row "
     "per segment the sender's TCP sends or receives", [
         ("time_s", "s", "when"),
         ("direction", "out / in", "sent by or received by the sender"),
         ("seq", "bytes",
          "first sequence number, relative to the initial one"),
         ("len", "bytes", "sequence space it covers (SYN and FIN count 1)"),
         ("ack", "bytes", "highest ACK seen (in) or sent (out), relative"),
         ("win", "bytes", "window offered by the segment's sender"),
         ("flags", "bits", "TCP flags (FIN 1, SYN 2, RST 4, PSH 8, ACK 16)"),
         ("rexmt", "0 / 1", "1 for a retransmission (seq below snd_max)"),
     ]),
]


def pattern_re(pattern):
    """'connections.<connection>.reads' -> a regular expression."""
    parts = re.split(r"(<[^>]+>)", pattern)
    rx = "".join("[^.]+" if p.startswith("<") else re.escape(p)
                 for p in parts)
    return re.compile("^" + rx + "$")


_COMPILED = None


def describe(key):
    """The (pattern, unit, base, meaning) of a summary.json key, or None."""
    global _COMPILED
    if _COMPILED is None:
        _COMPILED = [(pattern_re(p), (p, u, b, m)) for p, u, b, m in SUMMARY]
    for rx, row in _COMPILED:
        if rx.match(key):
            return row
    return None


FAMILIES = [
    ("sim", "The run itself"),
    ("connections", "Connections (the receiving application's view and the "
     "sender's TCP counters)"),
    ("domains", "Nemesis domains (CPU under Atropos)"),
    ("cpus", "Nemesis CPUs"),
    ("channels", "Transmit channels (one per connection from a Nemesis "
     "host)"),
    ("hosts", "Hosts (driver, kernel and the host's TCP/IP counters)"),
    ("nics", "NICs (CSMA/CD MAC)"),
    ("links", "Links (hubs, full-duplex links)"),
    ("sources", "Raw-frame sources (Ethernet-only scenarios)"),
    ("servers", "Web servers ([server.NAME])"),
    ("clients", "Web clients, one population per customer "
     "([clients.NAME])"),
]


def render():
    """docs/outputs.md."""
    out = ["# Outputs reference", "",
           "<!-- Generated by tools/outputs_doc.py from "
           "python/nemsim/outputs.py; do not edit.  "
           "tests/python/test_outputs.py checks it against real runs. -->",
           "",
           "What `nemsim run` writes into its output folder, what each "
           "number means, its unit, and its **time base**:", "",
           "- **window**: over the measurement window only, from "
           "`sim.measure_from_s` ([simulation] `warmup`) to "
           "`sim.measure_to_s` ([simulation] `measure_until`, default the "
           "end of the run). Shares and rates are window values.",
           "- **run**: from time 0 to the end of the run. Counters "
           "(frames, bytes, collisions, ..., `*_ns`, `*_ms`) are run "
           "totals, so `links.lan.collisions / links.lan.frames` is not "
           "`links.lan.collisions_per_frame`.",
           "- **fixed**: a property of the scenario, not a measurement.",
           "",
           "The Python loader (`python/nemsim`, see "
           "[tutorial](tutorial.md#reading-the-outputs-in-python)) reads "
           "all of these into pandas.", "",
           "## Files of a run", "",
           "| file | what |", "|---|---|",
           "| `summary.json` | every result, nested by the dotted keys "
           "below; written last, so its presence means the run finished. "
           "A pure function of (scenario, overrides, seed). |",
           "| `perf.json` | what depends on the machine (below) |",
           "| `scenario.resolved.ini` | the scenario as run: includes "
           "merged, overrides and variables applied; running it gives the "
           "same summary.json ([sweeps](sweeps.md)) |",
           "| `<name>.pcap` | `[output] pcap`: a host name (frames its NIC "
           "sends and receives) or a link name (every good frame the hub "
           "repeats); link type Ethernet, real headers and checksums |",
           "| `*.csv` | time series and traces (below) |",
           "| `plots/` | what `nemsim plot DIR` draws "
           "([plots](plots.md)) |", "",
           "A sweep folder holds `sweep.csv` (one row per point: `point`, "
           "the swept keys as the scenario wrote them, e.g. `1.6ms`, each "
           "followed by its value in SI base units when it has a unit "
           "(`carnage_slice_s`: seconds, `_bps`: bit/s, `_m`: metres), then "
           "the `[sweep] columns`) and `points/NNNN/`, a run folder per "
           "point, `sweep.json` (the scenario, the number of points, the swept keys, their SI columns and the result columns with their summary paths) and `inputs/NNNN.ini` (each point's resolved scenario; see docs/sweeps.md).  The loader adds a "
           "numeric twin in SI base units to every swept key with units: "
           "`carnage_slice` (`0`, `1.6ms`, ...) gets `carnage_slice_s` "
           "(0, 0.0016, ...); rates get `_bps`, lengths `_m`.", "",
           "## Naming rules", "",
           "- Names are the scenario's: `connections.c1` is "
           "`[connection.c1]`, `domains.carnage` is `[domain.carnage]`; a "
           "connection's sending application runs in a domain of the same "
           "name, and its transmit channel has that name too "
           "(`channels.c1`). Every Nemesis host has the domains "
           "`<host>_driver` (device driver, TX thread, packet filter) and "
           "`<host>_flowman` (flow manager); `cpus.<host>` is that host's "
           "CPU. `nics.<host>` is the host's network card; "
           "`links.<link>` is `[link.<link>]`.",
           "- Addresses: host *i* (0-based, in the order the scenario "
           "defines `[host.*]` groups, included files first) has MAC "
           "`02:00:00` followed by *i*+1 in three bytes and IPv4 address "
           "10.0.0.0 + *i* + 1 on the subnet 10.0.0.0/16 (`10.0.0.1` ... "
           "`10.0.0.255`, `10.0.1.0`, ...: every host on-link for every "
           "other). "
           "Connection *i* (in the order of `[connection.*]` groups) "
           "connects to port `5001 + i` on its receiver; the sender's "
           "port is ephemeral. A run writes both into summary.json "
           "(`hosts.<host>.ipv4`, `.mac`, `connections.<c>.receiver_port`, "
           "`sender_port`, `sender_ipv4`); `nemsim.load.run_names(RUN)` "
           "reads them, `nemsim.load.names(SCENARIO)` computes them from "
           "a scenario; `nemsim plot` uses them to name the connections "
           "in a capture.",
           "- `a_to_b` / `b_to_a` on a full-duplex link: *a* is the first "
           "host of the scenario attached to that link, *b* the second.",
           "- Throughputs in Mb/s are 10^6 bit/s of TCP payload delivered "
           "to the receiving application; `channels.*.tx_mbps` counts "
           "frame bytes instead.", ""]
    out += ["## summary.json", ""]
    for fam, title in FAMILIES:
        rows = [r for r in SUMMARY if r[0].split(".")[0] == fam
                and ".tcp." not in r[0] and ".ip." not in r[0]
                and ".icmp." not in r[0]]
        out += [f"### {title}", "", "| key | unit | time base | meaning |",
                "|---|---|---|---|"]
        for p, u, b, m in rows:
            out.append(f"| `{p}` | {u} | {b} | {m} |")
        out.append("")
        if fam == "hosts":
            out += ["Per host, 4.4BSD's TCP and IP statistics (TCP/IP "
                    "Illustrated Vol. 2, Figures 24.7 and 8.4), counted "
                    "over the whole run for all connections of the host: "
                    "`hosts.<host>.tcp.<counter>` and "
                    "`hosts.<host>.ip.<counter>` (count, run).", "",
                    "| `tcp.` counter | meaning |", "|---|---|"]
            out += [f"| `{n}` | {m} |" for n, m in TCPSTAT]
            out += ["", "| `ip.` counter | meaning |", "|---|---|"]
            out += [f"| `{n}` | {m} |" for n, m in IPSTAT]
            out += ["", "| `icmp.` counter (`hosts.<host>.icmp.<counter>`) "
                    "| meaning |", "|---|---|"]
            out += [f"| `{n}` | {m} |" for n, m in ICMPSTAT]
            out.append("")
    out += ["## perf.json", "",
            "Machine-dependent, whole run; not part of summary.json so "
            "that summary.json is byte-identical on every machine.", "",
            "| key | unit | meaning |", "|---|---|---|"]
    out += [f"| `{k}` | {u} | {m} |" for k, u, m in PERF]
    out += ["", "## CSV time series and traces", ""]
    for f, when, cols in CSV:
        out += [f"### {f}", "", f"Written: {when}.", "",
                "| column | unit | meaning |", "|---|---|---|"]
        out += [f"| `{c}` | {u} | {m} |" for c, u, m in cols]
        out.append("")
    return "\n".join(out)
