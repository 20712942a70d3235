// Google Benchmark behind a C interface (see bench_shim.h). The only C++ in refast.
#include "bench_shim.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

// Each item runs in batches: KeepRunningBatch(b) admits b iterations per check, and the item's
// own loop performs them, so the timed region is the kernel's loop and nothing else. The batch is
// calibrated once per item, before any repetition, until one batch takes ~50 us (keeping the
// per-batch bookkeeping below 0.1%); it must not change between repetitions, because Google
// Benchmark requires every repetition to run the same number of iterations.
uint64_t calibrate_batch(const rf_bench_item *item)
{
    uint64_t batch = 1;
    for (int tries = 0; tries < 40; tries++) {
        auto t0 = std::chrono::steady_clock::now();
        item->run(item->ctx, batch);
        double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (dt > 50e-6 || batch >= (1u << 24)) break;
        batch *= 2;
    }
    return batch;
}

void run_item(benchmark::State &state, const rf_bench_item *item)
{
    const auto batch = static_cast<benchmark::IterationCount>(item->batch);
    while (state.KeepRunningBatch(batch)) {
        item->run(item->ctx, item->batch);
        benchmark::ClobberMemory();
    }
    const double iters = static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<int64_t>(iters * item->items_per_iter));
    if (item->bytes_per_iter > 0) state.SetBytesProcessed(static_cast<int64_t>(iters * item->bytes_per_iter));
    if (item->flops_per_iter > 0)
        state.counters["FLOPS"] = benchmark::Counter(iters * item->flops_per_iter, benchmark::Counter::kIsRate);
    state.SetLabel(item->label);
}

}  // namespace

extern "C" int rf_bench_run(rf_bench_item *items, size_t n, const rf_bench_options *opt,
                            char *err, size_t errlen)
{
    try {
        std::vector<std::string> args = {"refast-bench"};
        args.push_back("--benchmark_repetitions=" + std::to_string(opt->repetitions));
        args.push_back("--benchmark_min_time=" + std::to_string(opt->min_time));
        if (opt->warmup > 0) args.push_back("--benchmark_min_warmup_time=" + std::to_string(opt->warmup));
        if (opt->interleave) args.push_back("--benchmark_enable_random_interleaving=true");
        if (opt->json_out) {
            args.push_back(std::string("--benchmark_out=") + opt->json_out);
            args.push_back("--benchmark_out_format=json");
        }
        if (opt->repetitions > 1) args.push_back("--benchmark_report_aggregates_only=false");
        std::vector<char *> argv;
        for (auto &a : args) argv.push_back(a.data());
        int argc = static_cast<int>(argv.size());
        benchmark::Initialize(&argc, argv.data());
        for (int i = 0; i < 48 && opt->context[i][0]; i++)
            benchmark::AddCustomContext(opt->context[i][0], opt->context[i][1]);
        for (size_t i = 0; i < n; i++) {
            rf_bench_item *item = &items[i];
            item->batch = calibrate_batch(item);
            // No UseRealTime(): rates are per CPU second, which on a shared machine excludes the
            // time this thread waited for a core; refast gate and report use CPU time too.
            benchmark::RegisterBenchmark(item->name, [item](benchmark::State &s) { run_item(s, item); })
                ->Unit(benchmark::kNanosecond);
        }
        benchmark::RunSpecifiedBenchmarks();
        benchmark::ClearRegisteredBenchmarks();
        benchmark::Shutdown();
        return 0;
    } catch (const std::exception &e) {
        std::snprintf(err, errlen, "benchmark failed: %s", e.what());
    } catch (...) {
        std::snprintf(err, errlen, "benchmark failed: unknown C++ exception");
    }
    return -1;
}
