// The minimal C-API embedding loop: the yardstick of the llama-cpp engine's embedding calls/s
// (bench/llama-cpp-gap.ts). It does per call exactly what src/engines/llama-cpp/session.ts does, in C:
// clear the memory, one llama_decode of llama_batch_get_one(input), the pooled vector (or the last token's)
// copied out. Same context parameters (n_ctx, n_batch = n_ubatch, threads, flash attention auto,
// embeddings on, mmap), same persistent threadpool.
//
// Usage: llama-cpp-embed-loop MODEL THREADS CTX BATCH INPUTS_FILE
//   INPUTS_FILE: one input per line, token ids separated by spaces (BOS/EOS already added).
// Then one line per round on stdin ("r"): it runs every input once and prints
//   {"calls":N,"elapsed_ns":T,"cpu_ns":C}   (C: CPU time of the whole process over the round)
// Build: bench/build-llama.sh c-loop (links node-llama-cpp's prebuilt libraries; run it from their folder
// or pass it through LD_LIBRARY_PATH: ggml_backend_load_all_from_path gets the folder as argv[6]).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "llama.h"

static long long now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_ns() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void quiet_log(ggml_log_level level, const char * text, void *) {
    if (level >= GGML_LOG_LEVEL_WARN && level != GGML_LOG_LEVEL_CONT) fputs(text, stderr);
}

int main(int argc, char ** argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s MODEL THREADS CTX BATCH INPUTS_FILE LIB_DIR\n", argv[0]);
        return 2;
    }
    const int threads = atoi(argv[2]);
    const int n_ctx = atoi(argv[3]);
    const int n_batch = atoi(argv[4]);
    std::vector<std::vector<llama_token>> inputs;
    {
        std::ifstream in(argv[5]);
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream ss(line);
            std::vector<llama_token> toks;
            int t;
            while (ss >> t) toks.push_back(t);
            if (!toks.empty()) inputs.push_back(toks);
        }
    }
    llama_log_set(quiet_log, nullptr);
    ggml_backend_load_all_from_path(argv[6]);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.load_mode = LLAMA_LOAD_MODE_MMAP;
    mp.lazy_mode = LLAMA_LAZY_MODE_OFF;
    llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (!model) return 3;
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n_ctx;
    cp.n_batch = n_batch;
    cp.n_ubatch = n_batch;
    cp.n_seq_max = 1;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    cp.embeddings = true;
    cp.no_perf = true;
    cp.swa_full = false;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) return 4;
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU));
    auto * tp_new = (decltype(ggml_threadpool_new) *) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new");
    auto * tp_free = (decltype(ggml_threadpool_free) *) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free");
    ggml_threadpool_params tpp;
    ggml_threadpool_params_init(&tpp, threads);
    ggml_threadpool * tp = tp_new(&tpp);
    llama_attach_threadpool(ctx, tp, nullptr);
    const enum llama_pooling_type pooling = llama_pooling_type(ctx);
    const int n_embd = pooling == LLAMA_POOLING_TYPE_RANK ? (int) llama_model_n_cls_out(model) : llama_model_n_embd_out(model);
    std::vector<float> out((size_t) n_embd * inputs.size());
    llama_memory_t mem = llama_get_memory(ctx);
    std::string cmd;
    while (std::getline(std::cin, cmd)) {
        if (cmd != "r") break;
        const long long c0 = cpu_ns();
        const long long t0 = now_ns();
        for (size_t i = 0; i < inputs.size(); i++) {
            llama_memory_clear(mem, true);
            if (llama_decode(ctx, llama_batch_get_one(inputs[i].data(), (int32_t) inputs[i].size())) != 0) return 5;
            const float * e = pooling == LLAMA_POOLING_TYPE_NONE ? nullptr : llama_get_embeddings_seq(ctx, 0);
            if (!e) e = llama_get_embeddings_ith(ctx, -1);
            if (!e) return 6;
            memcpy(out.data() + i * n_embd, e, sizeof(float) * n_embd);
        }
        const long long t1 = now_ns();
        const long long c1 = cpu_ns();
        printf("{\"calls\":%zu,\"elapsed_ns\":%lld,\"cpu_ns\":%lld}\n", inputs.size(), t1 - t0, c1 - c0);
        fflush(stdout);
    }
    llama_detach_threadpool(ctx);
    tp_free(tp);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
