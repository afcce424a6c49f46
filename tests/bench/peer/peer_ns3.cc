/* The peer benchmark's model written for ns-3 (Debian's libns3-dev), as an
 * ns-3 user who cares about speed would write it: a plain discrete-event
 * model on ns3::Simulator with its default implementation and scheduler
 * (DefaultSimulatorImpl over MapScheduler), no nodes, no packets, no
 * logging, no tracing, built optimised (tests/bench/peer/CMakeLists.txt).
 *
 * The model (the same as tests/bench/peer/peer.yaml for lbsim): Poisson
 * arrivals at 2,240 per second for SECONDS simulated seconds, each sent to
 * one of 8 servers by round robin (rr) or uniformly at random (random);
 * a server has 4 cores, serves first come first served, and a request
 * needs an exponential time of mean 10 ms (70 % load).
 *
 * Two generators:
 *   ns3     ns-3's own random variables: ExponentialRandomVariable for the
 *           gaps and the service times, UniformRandomVariable for the
 *           random choice (MRG32k3a streams, as every ns-3 model draws);
 *   inline  a xoshiro256++ generator inlined in the model, exponential
 *           by inversion (-log u), the choice by Lemire's multiply: the
 *           cheapest draws a C++ programmer would write by hand.
 *
 * Times are integer nanoseconds, ns-3's default resolution: a draw in ns
 * becomes a Time by Time(double), one llround, rather than through
 * Seconds(), which multiplies in 64.64 fixed point.
 *
 * usage: peer_ns3 rr|random ns3|inline SECONDS RUN
 * prints: requests=N completed=N wall_s=X mean_ms=X
 * (wall_s times Simulator::Run alone, as bench_peer times lbsim's run.)
 */
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "ns3/double.h"
#include "ns3/nstime.h"
#include "ns3/random-variable-stream.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"

using namespace ns3;

namespace
{

constexpr uint32_t kServers = 8;
constexpr uint32_t kCores = 4;
constexpr double kArrivalRate = 2240.0; /* per second */
constexpr double kMeanServiceNs = 10e6;

/* xoshiro256++ (Blackman and Vigna, 2019), seeded through splitmix64. */
struct Xoshiro
{
    uint64_t s[4];

    explicit Xoshiro(uint64_t seed)
    {
        for (auto& w : s)
        {
            seed += 0x9e3779b97f4a7c15ULL;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            w = z ^ (z >> 31);
        }
    }

    static uint64_t Rotl(uint64_t x, int k)
    {
        return (x << k) | (x >> (64 - k));
    }

    uint64_t Next()
    {
        const uint64_t result = Rotl(s[0] + s[3], 23) + s[0];
        const uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Rotl(s[3], 45);
        return result;
    }

    /* In (0, 1): never 0, so that log() is finite. */
    double Open01()
    {
        return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
    }
};

enum class Policy
{
    RoundRobin,
    Random,
};

struct Server
{
    uint32_t busy = 0;
    std::deque<int64_t> queue; /* arrival times (ns) of waiting requests */
};

/* The whole model's state; the event handlers are its member functions. */
struct Model
{
    Policy policy;
    bool inlineRng;
    Server servers[kServers];
    uint32_t next = 0; /* round robin */
    uint64_t arrived = 0;
    uint64_t completed = 0;
    double responseSumNs = 0;

    Ptr<ExponentialRandomVariable> gap;
    Ptr<ExponentialRandomVariable> service;
    Ptr<UniformRandomVariable> pick;
    Xoshiro rng;

    Model(Policy p, bool inl, uint64_t seed)
        : policy(p),
          inlineRng(inl),
          rng(seed)
    {
        gap = CreateObject<ExponentialRandomVariable>();
        gap->SetAttribute("Mean", DoubleValue(1e9 / kArrivalRate));
        service = CreateObject<ExponentialRandomVariable>();
        service->SetAttribute("Mean", DoubleValue(kMeanServiceNs));
        pick = CreateObject<UniformRandomVariable>();
    }

    Time NextGap()
    {
        double ns = inlineRng ? -std::log(rng.Open01()) * (1e9 / kArrivalRate) : gap->GetValue();
        return Time(ns);
    }

    Time ServiceTime()
    {
        double ns = inlineRng ? -std::log(rng.Open01()) * kMeanServiceNs : service->GetValue();
        return Time(ns);
    }

    uint32_t Choose()
    {
        if (policy == Policy::RoundRobin)
        {
            uint32_t s = next;
            next = next + 1 == kServers ? 0 : next + 1;
            return s;
        }
        if (inlineRng)
        {
            return static_cast<uint32_t>(((rng.Next() >> 32) * kServers) >> 32);
        }
        return pick->GetInteger(0, kServers - 1);
    }

    void Arrival()
    {
        arrived++;
        Simulator::Schedule(NextGap(), &Model::Arrival, this);
        uint32_t s = Choose();
        Server& srv = servers[s];
        int64_t now = Simulator::Now().GetTimeStep();
        if (srv.busy < kCores)
        {
            srv.busy++;
            Simulator::Schedule(ServiceTime(), &Model::Departure, this, s, now);
        }
        else
        {
            srv.queue.push_back(now);
        }
    }

    void Departure(uint32_t s, int64_t arrivedAt)
    {
        completed++;
        responseSumNs += static_cast<double>(Simulator::Now().GetTimeStep() - arrivedAt);
        Server& srv = servers[s];
        if (srv.queue.empty())
        {
            srv.busy--;
            return;
        }
        int64_t a = srv.queue.front();
        srv.queue.pop_front();
        Simulator::Schedule(ServiceTime(), &Model::Departure, this, s, a);
    }
};

int
Usage()
{
    std::fprintf(stderr, "usage: peer_ns3 rr|random ns3|inline SECONDS RUN\n");
    return 2;
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc != 5)
    {
        return Usage();
    }
    Policy policy;
    if (std::strcmp(argv[1], "rr") == 0)
    {
        policy = Policy::RoundRobin;
    }
    else if (std::strcmp(argv[1], "random") == 0)
    {
        policy = Policy::Random;
    }
    else
    {
        return Usage();
    }
    bool inl;
    if (std::strcmp(argv[2], "ns3") == 0)
    {
        inl = false;
    }
    else if (std::strcmp(argv[2], "inline") == 0)
    {
        inl = true;
    }
    else
    {
        return Usage();
    }
    double seconds = std::atof(argv[3]);
    long run = std::atol(argv[4]);
    if (!(seconds > 0) || run < 1)
    {
        return Usage();
    }
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(static_cast<uint64_t>(run));

    Model model(policy, inl, 0x5eed0000ULL + static_cast<uint64_t>(run));
    Simulator::Schedule(model.NextGap(), &Model::Arrival, &model);
    Simulator::Stop(Seconds(seconds));
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    Simulator::Destroy();
    double wall = std::chrono::duration<double>(t1 - t0).count();
    std::printf("requests=%llu completed=%llu wall_s=%.6f mean_ms=%.9f\n",
                static_cast<unsigned long long>(model.arrived),
                static_cast<unsigned long long>(model.completed),
                wall,
                model.completed ? model.responseSumNs / static_cast<double>(model.completed) / 1e6
                                : 0.0);
    return 0;
}
