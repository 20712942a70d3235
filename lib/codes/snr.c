/* SNR conventions of SPEC §5.1 (lib/codes/snr.h), for unit-power real (BPSK) symbols:
 *   Eb/N0 (dB, code rate R):  sigma^2 = 1 / (2 R 10^(EbN0/10))   the coding-theory standard
 *   Es/N0 (dB):               sigma^2 = 1 / (2 10^(EsN0/10))     the seed's KO result tables
 *   SNR (dB):                 sigma^2 = 10^(-SNR/10)              the seed's training convention
 * so EsN0 = EbN0 + 10 log10 R and SNR = EsN0 + 10 log10 2. Invalid arguments (rate <= 0, sigma
 * <= 0, NaN) give NaN; callers validate and report them. */
#include <math.h>

#include "codes/snr.h"

double rf_sigma_from_ebn0(double ebn0_db, double rate)
{
    if (!(rate > 0)) return NAN;
    return sqrt(1.0 / (2.0 * rate * pow(10.0, ebn0_db / 10.0)));
}

double rf_sigma_from_esn0(double esn0_db)
{
    return sqrt(1.0 / (2.0 * pow(10.0, esn0_db / 10.0)));
}

double rf_sigma_from_snr(double snr_db)
{
    return sqrt(pow(10.0, -snr_db / 10.0));
}

double rf_ebn0_from_sigma(double sigma, double rate)
{
    if (!(sigma > 0) || !(rate > 0)) return NAN;
    return -10.0 * log10(2.0 * rate * sigma * sigma);
}

double rf_esn0_from_sigma(double sigma)
{
    if (!(sigma > 0)) return NAN;
    return -10.0 * log10(2.0 * sigma * sigma);
}

double rf_snr_from_sigma(double sigma)
{
    if (!(sigma > 0)) return NAN;
    return -20.0 * log10(sigma);
}
