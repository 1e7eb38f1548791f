"""The forward sweep: the primal code, saving what the reverse sweep reads.

Requires: the reverse sweep generated first (with :class:`Restore` and
:class:`LoopLocals` placeholders) and the set of primal names it reads.

A variable is saved (``tape.append(x)``) just before an assignment
overwrites it, if the reverse sweep reads it and an old value can exist.
Variables that live only within one loop iteration are saved together, once
per iteration.  After both sweeps are laid out, saves whose restored value is
never read again are dropped (:meth:`ForwardSweep.dead_restores`).
"""

import gast

from . import calls as C
from .ast_util import assign, const, deepcopy, name, stored_names
from .placeholders import LoopLocals, Restore, group_pops, index_value, is_comment, tidy_if


class ForwardSweep:
    """Mixin of :class:`~transforms.reverse.ReverseGen`: recording and restoring."""

    def fwd_block(self, stmts, maybe, must):
        out = []
        for s in stmts:
            out += self.fwd_stmt(s, maybe, must)
        return out

    def push(self, expr):
        return gast.Expr(value=gast.Call(
            func=gast.Attribute(value=name(self.tape), attr="append", ctx=gast.Load()),
            args=[expr], keywords=[]))

    def save_var(self, s, var, maybe, must, out):
        if var in self.loop_locals:
            return  # saved once per iteration, with the other locals of its loop
        if (id(s), var) in self.no_push:
            return  # the reverse sweep never reads the old value
        if var in self.needed and var in maybe:
            if var not in must:
                self.none_init.add(var)
            out.append(self.push(name(var)))
            s._sg_pushed = getattr(s, "_sg_pushed", set()) | {var}

    def fwd_stmt(self, s, maybe, must):
        out = []
        if getattr(s, "_sg_hook", None) is not None:
            return out  # a grad_of block runs in the reverse sweep only
        if isinstance(s, gast.Assign):
            t = s.targets[0]
            if isinstance(t, gast.Name):
                call = getattr(s, "_sg_call", None)
                if call is not None:
                    self.save_var(s, call[1], maybe, must, out)
                self.save_var(s, t.id, maybe, must, out)
                if call is not None:
                    fwd, saved, args = call
                    tgt = gast.Tuple(elts=[name(t.id, "store"), name(saved, "store")],
                                     ctx=gast.Store())
                    func = deepcopy(fwd) if isinstance(fwd, gast.AST) else name(fwd)
                    call_fwd = gast.Call(func=func, args=[deepcopy(a) for a in args],
                                         keywords=[])
                    out.append(assign(tgt, call_fwd))
                    maybe.add(saved)
                    must.add(saved)
                else:
                    out.append(s)
                maybe.add(t.id)
                must.add(t.id)
                return out
            if isinstance(t, gast.Subscript):
                x = t.value.id
                if x in self.needed and (id(s), x) not in self.no_push:
                    out.append(self.push(self.rtcall("save", name(x), index_value(t.slice))))
                    s._sg_pushed = {x}
                out.append(s)
                return out
            if isinstance(t, gast.Tuple):
                for e in t.elts:
                    self.save_var(s, e.id, maybe, must, out)
                out.append(s)
                for e in t.elts:
                    maybe.add(e.id)
                    must.add(e.id)
                return out
        if isinstance(s, gast.If):
            m1, u1 = set(maybe), set(must)
            m2, u2 = set(maybe), set(must)
            body = self.save_locals(s, self.fwd_block(s.body, m1, u1), "_sg_locals_body")
            orelse = self.save_locals(s, self.fwd_block(s.orelse, m2, u2), "_sg_locals_orelse")
            maybe |= m1 | m2
            must |= u1 & u2
            new = tidy_if(gast.If(test=s.test, body=body, orelse=orelse))
            return [new] if new is not None else []
        if isinstance(s, gast.For):
            return self.fwd_for(s, maybe, must)
        if isinstance(s, gast.While):
            return self.fwd_while(s, maybe, must)
        return [s]

    def _loop_sets(self, body, maybe):
        assigned = set(stored_names(gast.Module(body=body, type_ignores=[])))
        for st in gast.walk(gast.Module(body=body, type_ignores=[])):
            if getattr(st, "_sg_call", None):
                assigned.add(st._sg_call[1])
            for attr in ("_sg_count", "_sg_range"):
                if getattr(st, attr, None):
                    assigned.add(getattr(st, attr))
        return maybe | assigned

    def fwd_for(self, s, maybe, must):
        out = []
        i = s.target.id
        if getattr(s, "_sg_reverse", None) and i in self.needed and i in maybe and \
                (id(s), i) not in self.no_push:
            out.append(self.push(name(i)))
            if i not in must:
                self.none_init.add(i)
            s._sg_pushed = {i}
        r = getattr(s, "_sg_range", None)
        it = s.iter
        if r is not None:
            out.append(assign(r, it))
            self.save_var(s, r, maybe, must, out) if False else None
            it = name(r)
        count = getattr(s, "_sg_count", None)
        inner_maybe = self._loop_sets(s.body, maybe | {i})
        body = self.save_locals(s, self.fwd_block(s.body, inner_maybe, set(must) | {i}))
        if count:
            out += self._counter_init(s, count, maybe, must)
            body = [assign(count, gast.BinOp(left=name(count), op=gast.Add(),
                                             right=const(1)))] + body
        loop = gast.For(target=s.target, iter=it, body=body or [gast.Pass()], orelse=[],
                        type_comment=None)
        loop._sg_loop_of = s
        out.append(loop)
        maybe |= inner_maybe
        return out

    def save_locals(self, loop, body, attr="_sg_locals"):
        """Append the push of the block's locals (before a final break)."""
        names_ = getattr(loop, attr, ())
        if not names_:
            return body
        value = name(names_[0]) if len(names_) == 1 else gast.Tuple(
            elts=[name(v) for v in names_], ctx=gast.Load())
        push = self.push(value)
        for k, st in enumerate(body):
            if isinstance(st, gast.If) and st.body and isinstance(st.body[0], gast.Break):
                return body[:k] + [push] + body[k:]  # every iteration gets this far
        return body + [push]

    def find_loop_locals(self):
        """Per block inside a loop, the needed variables that live only within it.

        Such a variable is bound once per pass through the block (a loop body,
        or a branch of an ``if`` inside a loop) by a top-level statement of the
        block, read only after that, and used nowhere else.  Rather than
        saving its previous value at each overwrite, the forward sweep saves
        all of them in one tuple at the end of the block and the reverse sweep
        takes the tuple back where it starts reversing the block.
        """
        self.loop_locals = set()
        everywhere = {}
        for n in gast.walk(self.fn):
            if isinstance(n, gast.Name):
                everywhere[n.id] = everywhere.get(n.id, 0) + 1
        loop_stores = set()
        for loop in gast.walk(self.fn):
            if isinstance(loop, (gast.For, gast.While)):
                loop_stores |= set(stored_names(loop)) | _mutated_in_place(loop)
                for st in gast.walk(loop):
                    for attr in ("_sg_count", "_sg_range"):
                        if getattr(st, attr, None):
                            loop_stores.add(getattr(st, attr))
        seen = set()
        for loop in gast.walk(self.fn):
            if not isinstance(loop, (gast.For, gast.While)):
                continue
            header = set(C.names_in(getattr(loop, "test", None))) | set(
                stored_names(loop.target) if isinstance(loop, gast.For) else ())
            loop._sg_locals = self._block_locals(loop.body, header, loop_stores, everywhere)
            for st in gast.walk(gast.Module(body=loop.body, type_ignores=[])):
                if isinstance(st, gast.If) and id(st) not in seen:
                    seen.add(id(st))
                    st._sg_locals_body = self._block_locals(st.body, set(), loop_stores,
                                                            everywhere)
                    st._sg_locals_orelse = self._block_locals(st.orelse, set(), loop_stores,
                                                              everywhere)

    def _block_locals(self, block, header, loop_stores, everywhere):
        inside = {}
        for n in gast.walk(gast.Module(body=block, type_ignores=[])):
            if isinstance(n, gast.Name):
                inside[n.id] = inside.get(n.id, 0) + 1
        stores = {}  # rebindings; writes into an array keep the same object
        for st in gast.walk(gast.Module(body=block, type_ignores=[])):
            if isinstance(st, gast.Assign):
                for t in st.targets:
                    for v in stored_names(t) if not isinstance(t, gast.Subscript) else []:
                        stores[v] = stores.get(v, 0) + 1
        read_before = set()
        found = []
        # names this block binds once, to a value the same in every pass, before
        # reading them: what is computed from them is the same in every pass too
        mutated = _mutated_in_place(gast.Module(body=block, type_ignores=[]))
        same = set()
        for st in block:
            if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name):
                v = st.targets[0].id
                reads = set(C.names_in(st.value))
                call = getattr(st, "_sg_call", None)
                invariant = call is None and self._invariant(st.value, loop_stores - same)
                if invariant and stores.get(v) == 1 and v not in read_before and \
                        v not in header and v not in mutated:
                    same.add(v)
                local = (stores.get(v) == 1 and v not in read_before and v not in reads
                         and v not in header and inside.get(v) == everywhere.get(v))
                if local and call is not None and call[1] in self.needed:
                    found.append(call[1])
                if local and v in self.needed and not invariant:
                    found.append(v)
                elif local and v in self.needed:
                    self.loop_locals.add(v)  # the same in every iteration: no saving
            read_before |= _reads_of(st)
        self.loop_locals |= set(found)
        return found

    def _invariant(self, value, stores):
        """``value`` computes the same in every iteration of a loop storing ``stores``."""
        if not isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Name, gast.Constant,
                                  gast.Attribute, gast.Compare)):
            return False
        return not any(n in stores for n in C.names_in(value))

    def _counter_init(self, s, count, maybe, must):
        out = []
        init = s._sg_count_init
        self.save_var(init, count, maybe, must, out)
        out.append(init)
        maybe.add(count)
        must.add(count)
        return out

    def fwd_while(self, s, maybe, must):
        out = []
        count = getattr(s, "_sg_count", None)
        inner_maybe = self._loop_sets(s.body, maybe)
        body = self.save_locals(s, self.fwd_block(s.body, inner_maybe, set(must)))
        if count:
            out += self._counter_init(s, count, maybe, must)
            body = [assign(count, gast.BinOp(left=name(count), op=gast.Add(),
                                             right=const(1)))] + body
        loop = gast.While(test=s.test, body=body or [gast.Pass()], orelse=[])
        loop._sg_loop_of = s
        out.append(loop)
        maybe |= inner_maybe
        return out

    # -- putting it together ---------------------------------------------------
    def finalize(self, rev):
        """Replace Restore placeholders by pops where the forward sweep saved."""
        out = []
        for s in rev:
            if isinstance(s, Restore):
                out += self.restore_code(s)
                continue
            if isinstance(s, LoopLocals):
                names_ = getattr(s.loop, s.attr, ())
                if names_:
                    pop = gast.Call(func=gast.Attribute(value=name(self.tape), attr="pop",
                                                        ctx=gast.Load()), args=[], keywords=[])
                    target = name(names_[0], "store") if len(names_) == 1 else gast.Tuple(
                        elts=[name(v, "store") for v in names_], ctx=gast.Store())
                    st = assign(target, pop)
                    st._sg_loop = (s.loop, s.attr, tuple(names_))
                    out.append(st)
                continue
            if isinstance(s, gast.If):
                s = tidy_if(gast.If(test=s.test, body=self.finalize(s.body),
                                    orelse=self.finalize(s.orelse)))
                if s is None:
                    continue
            elif isinstance(s, gast.For):
                body = self.finalize(s.body)
                if not [b for b in body if not is_comment(b)]:
                    if out and is_comment(out[-1]):
                        out.pop()
                    continue
                index = getattr(s, "_sg_index", None)
                target = s.target
                if index and index not in C.names_in(gast.Module(body=body, type_ignores=[])):
                    target = name("_", "store")
                loop = gast.For(target=target, iter=s.iter, body=body, orelse=[],
                                type_comment=None)
                loop._sg_loop_of = getattr(s, "_sg_loop_of", None)
                s = loop
            out.append(s)
        return group_pops(out)

    def dead_restores(self, final):
        """Saves whose restored value the reverse sweep never reads again.

        Returns (set of (statement id, variable), {loop: names}) to stop saving.
        """
        from .aliasing import liveness, may_share_memory

        live_after = {}
        liveness(final, set(), live_after)
        sharing = may_share_memory(self.fn, self.ctx.locals)
        calls = []  # (name of a callee's saved values, names of the arguments it was given)
        for st in gast.walk(self.fn):
            call = getattr(st, "_sg_call", None)
            if call is not None:
                calls.append((call[1], {n for a in call[2] for n in C.names_in(a)}))
        dead, dead_locals = set(), {}
        for st in gast.walk(gast.Module(body=final, type_ignores=[])):
            after = live_after.get(id(st))
            if after is None:
                continue
            restores = getattr(st, "_sg_restores", None)
            if restores is not None:
                var = restores[1]
                readers = {var}
                if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript):
                    readers |= sharing.get(var, set())  # views see the restored values
                    # a callee's saved values may hold such a view (h(x[1]) keeps x[1])
                    readers |= {saved for saved, args in calls if readers & args}
                if not readers & after:
                    dead.add((id(restores[0]), var))
            loop = getattr(st, "_sg_loop", None)
            if loop is not None:
                unused = [v for v in loop[2] if v not in after]
                if unused:
                    dead_locals[loop[0], loop[1]] = unused
        return dead, dead_locals

    def restore_code(self, r):
        s, var = r.stmt, r.var
        if getattr(r, "pop_list", False):
            if var in self.needed and (id(s), var) not in self.no_push:
                st = gast.Expr(value=gast.Call(func=gast.Attribute(
                    value=name(var), attr="pop", ctx=gast.Load()), args=[], keywords=[]))
                st._sg_restores = (s, var)
                return [st]
            return []
        pushed = getattr(s, "_sg_pushed", set())
        if var not in pushed:
            return []
        pop = gast.Call(func=gast.Attribute(value=name(self.tape), attr="pop", ctx=gast.Load()),
                        args=[], keywords=[])
        t = s.targets[0] if isinstance(s, gast.Assign) else None
        if isinstance(t, gast.Subscript):
            target = gast.Subscript(value=name(var), slice=deepcopy(t.slice), ctx=gast.Store())
            st = assign(target, pop)
        else:
            st = assign(var, pop)
        st._sg_restores = (s, var)
        return [st]

    def _name_calls_in_order(self, body):
        """Name the saved state of active user calls in source order (g_saved, g_saved2)."""
        for s in C.walk_simple(body):
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                    isinstance(s.value, gast.Call) and s.targets[0].id in self.active:
                try:
                    res, _ = C.call_target(s.value, self.ctx)
                except Exception:  # noqa: BLE001 - reported with its location later
                    continue
                if isinstance(res, C.UserFunction):
                    self.stmt_name(s, "saved", f"{res.name.strip('_')}_saved")

    def _clear_pushes(self):
        for st in gast.walk(self.fn):
            if hasattr(st, "_sg_pushed"):
                del st._sg_pushed
            init = getattr(st, "_sg_count_init", None)
            if init is not None and hasattr(init, "_sg_pushed"):
                del init._sg_pushed

    def collect_needed(self, rev):
        needed = set()
        module = gast.Module(body=[s for s in rev if not isinstance(s, (Restore, LoopLocals))],
                             type_ignores=[])
        adjoints = set(self.namer.adjoints().values())
        for n in gast.walk(module):
            if isinstance(n, (Restore, LoopLocals)):
                continue
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and \
                    n.id in self.ctx.locals and n.id not in adjoints:
                needed.add(n.id)
            for attr in ("_sg_count", "_sg_range"):
                v = getattr(n, attr, None)
                if v:
                    needed.add(v)
        # the reverse loops of for statements read their range and counter
        for st in gast.walk(self.fn):
            for attr in ("_sg_count", "_sg_range"):
                v = getattr(st, attr, None)
                if v:
                    needed.add(v)
            call = getattr(st, "_sg_call", None)
            if call:
                needed.add(call[1])
        # restoring ``x[i] = tape.pop()`` reads ``i``: needed wherever ``x`` is
        writes = [(r.var, C.names_in(r.stmt.targets[0].slice))
                  for r in gast.walk(gast.Module(body=rev, type_ignores=[]))
                  if isinstance(r, Restore) and not getattr(r, "pop_list", False)
                  and isinstance(r.stmt, gast.Assign)
                  and isinstance(r.stmt.targets[0], gast.Subscript)]
        grown = True
        while grown:
            grown = False
            for var, reads in writes:
                new = {n for n in reads if n in self.ctx.locals} - needed if var in needed \
                    else set()
                needed |= new
                grown = grown or bool(new)
        return needed


def _mutated_in_place(node):
    """Names whose object a statement inside ``node`` may change without rebinding them:
    subscript writes (``x[i] = v``) and calls made for their effect (``lst.append(v)``,
    ``rt.add_at(acc, i, g)``).  A value computed from such a name is not loop-invariant."""
    out = set()
    for st in gast.walk(node):
        if isinstance(st, gast.Assign):
            for t in st.targets:
                if not isinstance(t, (gast.Subscript, gast.Attribute)):
                    continue
                while isinstance(t, (gast.Subscript, gast.Attribute)):
                    t = t.value
                if isinstance(t, gast.Name):
                    out.add(t.id)
        if isinstance(st, gast.Expr) and isinstance(st.value, gast.Call):
            call = st.value
            if isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name):
                out.add(call.func.value.id)
            out |= {a.id for a in call.args if isinstance(a, gast.Name)}
    return out


def _reads_of(st):
    """The names statement ``st`` reads (an assignment's targets only where they index)."""
    if not isinstance(st, gast.Assign):
        return set(C.names_in(st))
    return set(C.names_in(st.value)) | {n.id for t in st.targets for n in gast.walk(t)
                                        if isinstance(n, gast.Name)
                                        and isinstance(n.ctx, gast.Load)}
