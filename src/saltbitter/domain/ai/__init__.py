"""The AI coach and practice companions: personas and their disclosures, the crisis
check, and the daily quota rule (PRODUCT 9; EU AI Act Art. 50, California SB 243)."""
