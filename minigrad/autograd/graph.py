"""Walking the graph backward from its roots: the one place that follows ``next_functions``.

Every walk here is iterative (a deep graph hits no recursion limit) and deterministic: it visits
edges in ``next_functions`` order, so it depends only on the graph's structure, never on ids or
creation numbers. The pictures, the widgets and the exercises all walk the graph through these.
"""


def nodes(starts):
    """Every node reachable from ``starts`` (``None`` entries skipped), each once, depth first in
    edge order: the root first, then its first input's whole subgraph, and so on."""
    order, seen = [], set()
    stack = [n for n in reversed(list(starts)) if n is not None]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for child, _ in reversed(node.next_functions):
            if child is not None and child not in seen:
                stack.append(child)
    return order


def inputs_first(starts):
    """The nodes in the order the forward pass made them possible: each node after everything it
    depends on. Returns events ``(node, i)``: ``i`` is the position of a ``None`` edge (an input
    that needs no gradient) met while visiting ``node``, or ``None`` once ``node`` is complete."""
    events, seen = [], set()
    for start in starts:
        if start in seen:
            continue
        seen.add(start)
        stack = [[start, 0]]
        while stack:
            top = stack[-1]
            node, edges = top[0], top[0].next_functions
            descended = False
            while top[1] < len(edges):
                i = top[1]
                top[1] += 1
                child = edges[i][0]
                if child is None:
                    events.append((node, i))
                elif child not in seen:
                    seen.add(child)
                    stack.append([child, 0])
                    descended = True
                    break
            if not descended:
                stack.pop()
                events.append((node, None))
    return events


def distances(starts):
    """``{node: rank}``, breadth first from the roots: the nearest nodes have the smallest ranks
    (what a picture capped at ``max_nodes`` keeps)."""
    rank, queue = {}, []
    for s in starts:
        if s not in rank:
            rank[s] = len(rank)
            queue.append(s)
    for node in queue:  # the list grows while we walk it
        for child, _ in node.next_functions:
            if child is not None and child not in rank:
                rank[child] = len(rank)
                queue.append(child)
    return rank
