/* The three SNR conventions of SPEC §5.1 for unit-power real symbols (lib/codes/snr.c has the
 * formulas). Invalid arguments give NaN; callers validate and report them. */
#ifndef REFAST_LIB_CODES_SNR_H
#define REFAST_LIB_CODES_SNR_H

/* sigma^2 = 1 / (2 R 10^(ebn0/10)); 1 / (2 * 10^(esn0/10)); 10^(-snr/10). */
double rf_sigma_from_ebn0(double ebn0_db, double rate);
double rf_sigma_from_esn0(double esn0_db);
double rf_sigma_from_snr(double snr_db);
/* The three values for a given sigma and rate (for output files). */
double rf_ebn0_from_sigma(double sigma, double rate);
double rf_esn0_from_sigma(double sigma);
double rf_snr_from_sigma(double sigma);

#endif
