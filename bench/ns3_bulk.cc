/*
 * ns3_bulk.cc - the peer comparison: TCP bulk transfer in ns-3 (3.37),
 * the same workload as nemsim's perf runs, for CPU time per delivered
 * segment side by side (tools/bench.sh runs both, interleaved).
 *
 * Two nodes on one 100 Mb/s CsmaChannel.  The sender opens --flows TCP
 * connections to the receiver and keeps each socket's send buffer full
 * for --duration simulated seconds; the receiver reads whatever arrives.
 * The segment size is 1448 bytes: with the timestamp option (on by
 * default in ns-3, as in nemsim's TCPs) a full segment is a 1500-byte IP
 * packet, the CSMA device's MTU, so nothing is fragmented.  No traces, no
 * pcap, no flow monitor: only what the transfer itself costs.
 *
 * Prints one line of JSON: bytes delivered to the receiving application,
 * segments (bytes / segment size), events, the CPU time of set-up and of
 * Simulator::Run, and peak RSS.  The application code is written here
 * against the socket API (no helper applications), so that it does no
 * more work per segment than nemsim's tcp_send and sink.
 */
#include "ns3/command-line.h"
#include "ns3/config.h"
#include "ns3/csma-helper.h"
#include "ns3/inet-socket-address.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/string.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/uinteger.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>
#include <vector>

using namespace ns3;

namespace
{

double
cpu_seconds()
{
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double
wall_seconds()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Keeps one socket's send buffer full: the application of a bulk sender. */
class BulkWriter
{
  public:
    BulkWriter(Ptr<Node> node, Address peer, uint32_t chunk)
        : m_chunk(chunk)
    {
        m_sock = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
        m_sock->Bind();
        m_sock->SetConnectCallback(MakeCallback(&BulkWriter::Connected, this),
                                   MakeNullCallback<void, Ptr<Socket>>());
        m_sock->SetSendCallback(MakeCallback(&BulkWriter::Space, this));
        m_sock->Connect(peer);
    }

  private:
    void Connected(Ptr<Socket> s)
    {
        Fill(s);
    }

    void Space(Ptr<Socket> s, uint32_t)
    {
        Fill(s);
    }

    /* Write until the send buffer is full.  Packets of zero bytes in
     * ns-3's virtual-payload form: no payload memory is touched. */
    void Fill(Ptr<Socket> s)
    {
        uint32_t room;
        while ((room = s->GetTxAvailable()) > 0)
        {
            uint32_t n = room < m_chunk ? room : m_chunk;
            if (s->Send(Create<Packet>(n)) < 0)
            {
                break;
            }
        }
    }

    Ptr<Socket> m_sock;
    uint32_t m_chunk;
};

/* Accepts every connection and reads everything, counting bytes. */
class Sink
{
  public:
    Sink(Ptr<Node> node, uint16_t port)
    {
        m_listen = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
        m_listen->Bind(InetSocketAddress(Ipv4Address::GetAny(), port));
        m_listen->Listen();
        m_listen->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                    MakeCallback(&Sink::Accepted, this));
    }

    uint64_t Bytes() const
    {
        return m_bytes;
    }

  private:
    void Accepted(Ptr<Socket> s, const Address&)
    {
        s->SetRecvCallback(MakeCallback(&Sink::Readable, this));
        m_conns.push_back(s);
    }

    void Readable(Ptr<Socket> s)
    {
        Ptr<Packet> p;
        while ((p = s->Recv()) && p->GetSize() > 0)
        {
            m_bytes += p->GetSize();
        }
    }

    Ptr<Socket> m_listen;
    std::vector<Ptr<Socket>> m_conns;
    uint64_t m_bytes = 0;
};

} // namespace

int
main(int argc, char* argv[])
{
    uint32_t flows = 1;
    double duration = 60;
    uint32_t segsize = 1448;
    std::string rate = "100Mbps";
    CommandLine cmd(__FILE__);
    cmd.AddValue("flows", "TCP connections from node 0 to node 1", flows);
    cmd.AddValue("duration", "simulated seconds", duration);
    cmd.AddValue("segsize", "TCP segment size (payload bytes)", segsize);
    cmd.AddValue("rate", "the channel's data rate", rate);
    cmd.Parse(argc, argv);

    double cpu0 = cpu_seconds();
    double wall0 = wall_seconds();

    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(segsize));

    NodeContainer nodes;
    nodes.Create(2);
    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue(rate));
    /* 25 m of cable, as nemsim's 100 Mb/s LAN. */
    csma.SetChannelAttribute("Delay", TimeValue(NanoSeconds(125)));
    NetDeviceContainer devs = csma.Install(nodes);
    InternetStackHelper inet;
    inet.Install(nodes);
    Ipv4AddressHelper addr;
    addr.SetBase("10.0.0.0", "255.255.255.0");
    Ipv4InterfaceContainer ifs = addr.Assign(devs);

    const uint16_t port = 5001;
    Sink sink(nodes.Get(1), port);
    std::vector<BulkWriter*> writers;
    for (uint32_t i = 0; i < flows; i++)
    {
        writers.push_back(
            new BulkWriter(nodes.Get(0), InetSocketAddress(ifs.GetAddress(1), port), 64 * 1024));
    }

    Simulator::Stop(Seconds(duration));
    double cpu1 = cpu_seconds();
    double wall1 = wall_seconds();
    Simulator::Run();
    double cpu2 = cpu_seconds();
    double wall2 = wall_seconds();
    uint64_t events = Simulator::GetEventCount();
    uint64_t bytes = sink.Bytes();
    Simulator::Destroy();
    for (BulkWriter* w : writers)
    {
        delete w;
    }

    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"simulator\": \"ns-3.37\", \"flows\": %u, \"simulated_s\": %g, "
           "\"segsize\": %u, \"bytes_delivered\": %" PRIu64 ", \"segments\": %.0f, "
           "\"events\": %" PRIu64 ", \"setup_cpu_s\": %.6f, \"run_cpu_s\": %.6f, "
           "\"run_wall_s\": %.6f, \"setup_wall_s\": %.6f, \"peak_rss_kib\": %ld}\n",
           flows, duration, segsize, bytes, (double)bytes / segsize, events, cpu1 - cpu0,
           cpu2 - cpu1, wall2 - wall1, wall1 - wall0, ru.ru_maxrss);
    return 0;
}
