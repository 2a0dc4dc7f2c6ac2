"""A real Apache Kafka 4.x broker (KRaft, single node) run from Maven Central jars with ``java``.

``toolchain`` checks Java and Maven and fetches the jar set into a cache outside the work tree;
``config`` renders the broker's property files; ``local`` starts, finds and stops the process.
"""
