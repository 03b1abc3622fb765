"""Gold corpora for de-identification: seeded synthetic notes and the i2b2-2014 XML reader."""
