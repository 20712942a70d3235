/* Oracle of the KO MLP block: long double forward pass plus the error scale S (oracle_ko_mlp.h). */
#include <math.h>

#include "oracle_ko_mlp.h"

long double ora_selu(long double t)
{
    return t > 0 ? ORA_SELU_LAMBDA * t : ORA_SELU_LAMBDA * ORA_SELU_ALPHA * expm1l(t);
}

void ora_ko_mlp(const rf_ko_mlp *net, const float *in, size_t count, long double *out,
                long double *scale)
{
    const long double lip = ORA_SELU_LAMBDA * ORA_SELU_ALPHA;
    const unsigned H = net->hidden, L = net->hidden_layers;
    long double a[RF_KO_MAX_HIDDEN], s[RF_KO_MAX_HIDDEN], na[RF_KO_MAX_HIDDEN], ns[RF_KO_MAX_HIDDEN];
    for (size_t j = 0; j < count; j++) {
        unsigned n_in = net->in_dim;
        for (unsigned f = 0; f < n_in; f++) {
            a[f] = in[f * count + j];
            s[f] = fabsl(a[f]);
        }
        for (unsigned l = 0; l <= L; l++) {
            const unsigned n_out = l < L ? H : 1;
            const float *w = net->w[l], *b = net->b[l];
            for (unsigned o = 0; o < n_out; o++) {
                long double z = b[o], m = fabsl((long double)b[o]);
                for (unsigned i = 0; i < n_in; i++) {
                    z += (long double)w[o * n_in + i] * a[i];
                    m += fabsl((long double)w[o * n_in + i]) * s[i];
                }
                na[o] = l < L ? ora_selu(z) : z;
                ns[o] = l < L ? lip * m : m;
            }
            for (unsigned o = 0; o < n_out; o++) {
                a[o] = na[o];
                s[o] = ns[o];
            }
            n_in = n_out;
        }
        out[j] = a[0];
        scale[j] = s[0];
    }
}
