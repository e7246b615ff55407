package io.seqstream.engine.cuda;

/** The CUDA C source of the engine's kernels, compiled once per engine at load time with NVRTC. */
final class Kernels {
    /** Threads per block of the per-row scoring kernel (a power of two). */
    static final int SCORE_THREADS = 256;
    /** The most top-k predictions the scoring kernel returns. */
    static final int MAX_TOP_K = 16;
    static final int ELEMENTWISE_THREADS = 256;

    private Kernels() {
    }

    static final String SOURCE = """
            #define SCORE_THREADS %d
            #define MAX_TOP_K %d

            __device__ __forceinline__ float sigm(float x) { return 1.0f / (1.0f + expf(-x)); }

            // x[b][e] = emb[tok[b]][e]
            extern "C" __global__ void gather_embeddings(const int* tok, const float* emb, float* x, int B, int E) {
              long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
              if (i < (long) B * E) {
                int b = (int) (i / E);
                int e = (int) (i - (long) b * E);
                x[i] = emb[(long) tok[b] * E + e];
              }
            }

            // DL4J's LSTM cell; gates [B][4H] hold x.W + h.RW without the bias; h and c [B][H] are updated in place.
            extern "C" __global__ void lstm_cell(const float* gates, const float* bias, float* h, float* c, int B, int H) {
              long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
              if (i < (long) B * H) {
                int b = (int) (i / H);
                int j = (int) (i - (long) b * H);
                const float* g = gates + (long) b * 4 * H;
                float z = tanhf(g[j] + bias[j]);
                float f = sigm(g[H + j] + bias[H + j]);
                float o = sigm(g[2 * H + j] + bias[2 * H + j]);
                float in = sigm(g[3 * H + j] + bias[3 * H + j]);
                float cn = f * c[i] + in * z;
                c[i] = cn;
                h[i] = o * tanhf(cn);
              }
            }

            // One block per row: softmax statistics of logits + bias, the observed token's probability and rank
            // (1 + the number of strictly larger logits), and the top-k (ties to the lower id). No [B][V] output.
            extern "C" __global__ void score_rows(const float* logits, const float* bias, const int* obs, float* prob,
                                                  int* rank, int* top_ids, float* top_p, int V, int K) {
              __shared__ float sf[SCORE_THREADS];
              __shared__ int si[SCORE_THREADS];
              __shared__ int chosen[MAX_TOP_K];
              int b = blockIdx.x;
              int t = threadIdx.x;
              const float* l = logits + (long) b * V;
              float m = __int_as_float(0xff800000);
              for (int k = t; k < V; k += SCORE_THREADS) m = fmaxf(m, l[k] + bias[k]);
              sf[t] = m;
              __syncthreads();
              for (int s = SCORE_THREADS / 2; s > 0; s >>= 1) {
                if (t < s) sf[t] = fmaxf(sf[t], sf[t + s]);
                __syncthreads();
              }
              float mx = sf[0];
              __syncthreads();
              float sum = 0.0f;
              for (int k = t; k < V; k += SCORE_THREADS) sum += expf(l[k] + bias[k] - mx);
              sf[t] = sum;
              __syncthreads();
              for (int s = SCORE_THREADS / 2; s > 0; s >>= 1) {
                if (t < s) sf[t] += sf[t + s];
                __syncthreads();
              }
              float total = sf[0];
              __syncthreads();
              int o = obs[b];
              float lo = l[o] + bias[o];
              int above = 0;
              for (int k = t; k < V; k += SCORE_THREADS) if (l[k] + bias[k] > lo) above++;
              si[t] = above;
              __syncthreads();
              for (int s = SCORE_THREADS / 2; s > 0; s >>= 1) {
                if (t < s) si[t] += si[t + s];
                __syncthreads();
              }
              if (t == 0) {
                rank[b] = si[0] + 1;
                prob[b] = expf(lo - mx) / total;
              }
              __syncthreads();
              for (int r = 0; r < K; r++) {
                float best = __int_as_float(0xff800000);
                int bi = 0x7fffffff;
                for (int k = t; k < V; k += SCORE_THREADS) {
                  bool used = false;
                  for (int q = 0; q < r; q++) used |= (chosen[q] == k);
                  if (used) continue;
                  float v = l[k] + bias[k];
                  if (v > best || (v == best && k < bi)) { best = v; bi = k; }
                }
                sf[t] = best;
                si[t] = bi;
                __syncthreads();
                for (int s = SCORE_THREADS / 2; s > 0; s >>= 1) {
                  if (t < s) {
                    float v2 = sf[t + s];
                    int i2 = si[t + s];
                    if (v2 > sf[t] || (v2 == sf[t] && i2 < si[t])) { sf[t] = v2; si[t] = i2; }
                  }
                  __syncthreads();
                }
                if (t == 0) {
                  chosen[r] = si[0];
                  top_ids[(long) b * K + r] = si[0];
                  top_p[(long) b * K + r] = expf(sf[0] - mx) / total;
                }
                __syncthreads();
              }
            }
            """.formatted(SCORE_THREADS, MAX_TOP_K);
}
