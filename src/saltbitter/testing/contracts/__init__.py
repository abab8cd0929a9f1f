"""Contract-test bases: one abstract class per port, run against fakes and real adapters."""
