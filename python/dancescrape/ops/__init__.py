"""Operations beside the pipeline: config, logging, secret masking."""
