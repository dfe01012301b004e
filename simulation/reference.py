class ReferenceTrustModel: pass
