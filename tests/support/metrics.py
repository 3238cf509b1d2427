"""Reading Prometheus series as a scraper would."""

from prometheus_client.parser import text_string_to_metric_families

from config.metrics_serving import exposition, process_registry


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value_in(text: str, name: str, **labels: str) -> float:
    """The sample's value, failing with the names there are when it is absent."""
    found = samples(text)
    key = (name, frozenset(labels.items()))
    assert key in found, f"no sample {name}{labels}; there are {sorted({n for n, _ in found})}"
    return found[key]


def counted(name: str, **labels: str) -> float:
    """What this machine's processes have counted so far (the multiprocess folder)."""
    return value_in(exposition(process_registry())[0].decode(), name, **labels)
