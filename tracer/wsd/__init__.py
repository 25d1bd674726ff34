"""The .wsd sequence-diagram dialect: model, parser, writer and exporters."""
