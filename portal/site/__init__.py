"""The brand's settings (name, tagline, logo, colour) and the community guidelines."""
