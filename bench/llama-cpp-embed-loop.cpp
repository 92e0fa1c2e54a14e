// The minimal C-API loops: the yardsticks of the llama-cpp engine (bench/llama-cpp-gap.ts), doing per call
// or per token what src/engines/llama-cpp/session.ts does, in C, with the same context parameters (n_ctx,
// n_batch = n_ubatch, threads, flash attention auto, mmap; embeddings on in embedding mode) and the same
// persistent threadpool.
//
// Embedding (6 arguments): per call, clear the memory, one llama_decode of llama_batch_get_one(input), the
// pooled vector (or the last token's) copied out.
// Generation (NEW_TOKENS given): the first line of INPUTS_FILE is the prompt. Per round: clear the memory,
// decode the prompt in n_batch chunks, then NEW_TOKENS tokens greedily, one llama_decode of a one-token
// batch each, picked by llama.cpp's greedy sampler (GREEDY "sampler", the default: llama_sampler_sample on
// a chain holding only llama_sampler_init_greedy, as the engine's counted runs and node-llama-cpp), by a
// plain argmax over llama_get_logits_ith (GREEDY "argmax": the same token, the engine's "argmax" method), or
// by llama.cpp's backend sampler (GREEDY "backend": that chain attached to sequence 0 with llama_set_sampler,
// so llama_decode computes a ggml_argmax in its graph and the loop reads the token with
// llama_get_sampled_token_ith, as the engine's default method; attached only when NEW_TOKENS > 0, and one
// untimed decode after attaching takes the scheduler's re-reserve out of the first round).
// NEW_TOKENS 0 decodes the prompt only (llama-bench's pp test).
//
// After every round the threadpool is paused (ggml_threadpool_pause, resolved from the loaded CPU backend
// library): otherwise its workers keep spinning (hybrid polling, poll 50: 1024 * 128 * 50 pause
// instructions, 0.15-0.4 s of a core here) after the round and take a core from whatever runs next, e.g. the
// next arm of bench/llama-cpp-gap.ts. It is resumed (ggml_threadpool_resume) before the round's clock starts,
// so the workers are polling when the first timed decode starts, as in llama-bench (whose process exits
// after its test: it needs no pause).
//
// Usage: llama-cpp-embed-loop MODEL THREADS CTX BATCH INPUTS_FILE LIB_DIR [NEW_TOKENS [GREEDY]]
//   INPUTS_FILE: one input per line, token ids separated by spaces (BOS/EOS already added).
// Then one line per round on stdin ("r"): it runs every input (or the prompt and NEW_TOKENS) once and prints
//   {"calls":N,"elapsed_ns":T,"cpu_ns":C}   (embedding; C: CPU time of the whole process over the round)
//   {"prompt_tokens":P,"tokens":N,"elapsed_ns":T,"first_token_ns":F,"cpu_ns":C,"ids_fnv1a":H}   (generation;
//   F from the round's start to the first token picked, H the FNV-1a 32-bit hash of the token ids' bytes)
// Build: bench/build-llama.sh c-loop (links node-llama-cpp's prebuilt libraries; run it from their folder
// or pass it through LD_LIBRARY_PATH: ggml_backend_load_all_from_path gets the folder as argv[6]).
#include <dlfcn.h>
#include <time.h>

#include <algorithm>
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

// FNV-1a (32 bit) over the little-endian bytes of the token ids: bench/llama-cpp-gap.ts hashes the engine's
// ids the same way, so a round of each can be checked to have generated the same tokens
static unsigned fnv1a(const std::vector<llama_token> & ids) {
    unsigned h = 2166136261u;
    for (llama_token t : ids) {
        for (int b = 0; b < 4; b++) {
            h ^= (unsigned) (((unsigned) t >> (8 * b)) & 0xffu);
            h *= 16777619u;
        }
    }
    return h;
}

static int argmax_last(llama_context * ctx, int n_vocab) {
    const float * logits = llama_get_logits_ith(ctx, -1);
    int best = 0;
    for (int i = 1; i < n_vocab; i++) {
        if (logits[i] > logits[best]) best = i;
    }
    return best;
}

enum greedy_method { GREEDY_SAMPLER, GREEDY_ARGMAX, GREEDY_BACKEND };

// the greedy token of the last output; LLAMA_TOKEN_NULL when the backend sampler gave none
static llama_token pick(llama_context * ctx, llama_sampler * chain, greedy_method greedy, int n_vocab) {
    switch (greedy) {
        case GREEDY_ARGMAX: return argmax_last(ctx, n_vocab);
        case GREEDY_BACKEND: return llama_get_sampled_token_ith(ctx, -1);
        default: return llama_sampler_sample(chain, ctx, -1);
    }
}

// one generation round (see the header); returns false when llama_decode fails or no token is sampled
static bool generation_round(llama_context * ctx, llama_sampler * chain, std::vector<llama_token> & prompt,
                             int n_batch, int new_tokens, greedy_method greedy, int n_vocab) {
    llama_memory_clear(llama_get_memory(ctx), true);
    llama_sampler_reset(chain);
    std::vector<llama_token> ids((size_t) new_tokens);
    const long long c0 = cpu_ns();
    const long long t0 = now_ns();
    for (size_t at = 0; at < prompt.size(); at += (size_t) n_batch) {
        const int n = (int) std::min(prompt.size() - at, (size_t) n_batch);
        if (llama_decode(ctx, llama_batch_get_one(prompt.data() + at, n)) != 0) return false;
    }
    long long first = 0;
    llama_token token = 0;
    for (int i = 0; i < new_tokens; i++) {
        if (i > 0 && llama_decode(ctx, llama_batch_get_one(&token, 1)) != 0) return false;
        token = pick(ctx, chain, greedy, n_vocab);
        if (token == LLAMA_TOKEN_NULL) {
            fprintf(stderr, "llama_get_sampled_token_ith returned no token\n");
            return false;
        }
        ids[(size_t) i] = token;
        if (i == 0) first = now_ns();
    }
    const long long t1 = now_ns();
    const long long c1 = cpu_ns();
    printf("{\"prompt_tokens\":%zu,\"tokens\":%d,\"elapsed_ns\":%lld,\"first_token_ns\":%lld,\"cpu_ns\":%lld,\"ids_fnv1a\":%u}\n",
           prompt.size(), new_tokens, t1 - t0, new_tokens > 0 ? first - t0 : 0LL, c1 - c0, fnv1a(ids));
    fflush(stdout);
    return true;
}

typedef void (*threadpool_fn)(ggml_threadpool *);

// `name` (ggml_threadpool_pause/resume) of the CPU backend library that holds `tp_new`: not among its proc
// addresses
static threadpool_fn threadpool_symbol(void * tp_new, const char * name) {
    Dl_info info;
    if (!dladdr(tp_new, &info) || !info.dli_fname) return nullptr;
    void * lib = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    return lib ? (threadpool_fn) dlsym(lib, name) : nullptr;
}

static void quiet_log(ggml_log_level level, const char * text, void *) {
    if (level >= GGML_LOG_LEVEL_WARN && level != GGML_LOG_LEVEL_CONT) fputs(text, stderr);
}

int main(int argc, char ** argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s MODEL THREADS CTX BATCH INPUTS_FILE LIB_DIR [NEW_TOKENS [sampler|argmax|backend]]\n", argv[0]);
        return 2;
    }
    const bool generation = argc >= 8;
    const int new_tokens = generation ? atoi(argv[7]) : 0;
    const char * greedy_name = argc >= 9 ? argv[8] : "sampler";
    const greedy_method greedy = strcmp(greedy_name, "argmax") == 0  ? GREEDY_ARGMAX
                                 : strcmp(greedy_name, "backend") == 0 ? GREEDY_BACKEND
                                                                       : GREEDY_SAMPLER;
    if (generation && (new_tokens < 0 || (greedy == GREEDY_SAMPLER && strcmp(greedy_name, "sampler") != 0))) {
        fprintf(stderr, "%s: NEW_TOKENS must be >= 0 and GREEDY sampler, argmax or backend\n", argv[0]);
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
    cp.embeddings = !generation;
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
    threadpool_fn tp_pause = threadpool_symbol((void *) tp_new, "ggml_threadpool_pause");
    threadpool_fn tp_resume = threadpool_symbol((void *) tp_new, "ggml_threadpool_resume");
    if (!tp_pause || !tp_resume) {
        fputs("warning: ggml_threadpool_pause/resume not found: the pool is not paused between rounds\n", stderr);
        tp_pause = tp_resume = nullptr;
    }
    llama_sampler * chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
    llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    if (generation && inputs.empty()) return 7;
    // the backend sampler: its own chain (a chain is attached once in its life), attached to sequence 0
    llama_sampler * backend_chain = nullptr;
    if (generation && greedy == GREEDY_BACKEND && new_tokens > 0) {
        backend_chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
        llama_sampler_chain_add(backend_chain, llama_sampler_init_greedy());
        if (!llama_set_sampler(ctx, 0, backend_chain)) return 8;
        // the re-reserve llama_set_sampler asks for happens at the next llama_decode: here, untimed
        if (llama_decode(ctx, llama_batch_get_one(inputs[0].data(), 1)) != 0) return 5;
    }
    if (tp_pause) tp_pause(tp);
    const enum llama_pooling_type pooling = llama_pooling_type(ctx);
    const int n_embd = pooling == LLAMA_POOLING_TYPE_RANK ? (int) llama_model_n_cls_out(model) : llama_model_n_embd_out(model);
    std::vector<float> out((size_t) n_embd * inputs.size());
    llama_memory_t mem = llama_get_memory(ctx);
    std::string cmd;
    while (std::getline(std::cin, cmd)) {
        if (cmd != "r") break;
        if (tp_resume) tp_resume(tp);
        if (generation) {
            if (!generation_round(ctx, chain, inputs[0], n_batch, new_tokens, greedy, n_vocab)) return 5;
            if (tp_pause) tp_pause(tp);
            continue;
        }
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
        if (tp_pause) tp_pause(tp);
    }
    llama_sampler_free(chain);
    llama_detach_threadpool(ctx);
    tp_free(tp);
    llama_free(ctx);
    if (backend_chain) llama_sampler_free(backend_chain);
    llama_model_free(model);
    return 0;
}
