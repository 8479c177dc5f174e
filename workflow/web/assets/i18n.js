// French and English interface strings; the choice is kept per browser (localStorage).
const STRINGS = {
  fr: {
    "nav.skip": "Aller au contenu", "nav.queue": "File", "nav.draft": "Réfléchissez avant de poster",
    "nav.logout": "Se déconnecter", "nav.lang": "English", "nav.user": "Connecté : {0} ({1})", "nav.settings": "Réglages",
    "login.intro": "Connectez-vous pour travailler la file.", "login.username": "Nom d'utilisateur",
    "login.password": "Mot de passe", "login.submit": "Se connecter", "login.failed": "Nom d'utilisateur ou mot de passe incorrect.",
    "queue.title": "File des cas", "queue.scopes": "Files", "queue.mine": "Ma file", "queue.all": "Tous mes cas",
    "queue.team": "Équipe {0}", "queue.empty": "Aucun cas ne correspond.", "queue.more": "Afficher plus",
    "queue.keys": "Clavier : j / k pour se déplacer, Entrée pour ouvrir, x pour cocher, / pour chercher.",
    "queue.new": "Non lu", "queue.updated": "Mis à jour", "queue.refreshed": "File mise à jour.",
    "filter.label": "Étiquette", "filter.severity": "Gravité", "filter.state": "État", "filter.sla": "Échéance",
    "filter.lang": "Langue", "filter.platform": "Plateforme", "filter.search": "Recherche", "filter.sort": "Tri",
    "filter.any": "Toutes", "sort.deadline": "Échéance la plus proche", "sort.opened": "Plus anciens",
    "sort.-opened": "Plus récents", "sort.-updated": "Modifiés récemment",
    "col.case": "Cas", "col.labels": "Étiquettes", "col.summary": "Publication", "col.owner": "Équipe · responsable",
    "col.state": "État", "col.sla": "Échéance",
    "bulk.title": "Actions groupées", "bulk.select_all": "Tout cocher", "bulk.selected": { one: "{0} cas coché", other: "{0} cas cochés" },
    "bulk.done": "Réussis : {0}. Refusés : {1}.", "bulk.none": "Cochez au moins un cas.",
    "action.acknowledge": "Prendre en charge", "action.assign": "Assigner", "action.assign_me": "M'assigner",
    "action.wait": "Mettre en attente", "action.resume": "Reprendre", "action.resolve": "Résoudre",
    "action.dismiss": "Écarter", "action.reopen": "Rouvrir", "action.note": "Ajouter la note",
    "action.relabel": "Corriger les étiquettes", "action.reason": "Raison (pour écarter)", "action.done": "C'est fait.",
    "action.reason_needed": "Indiquez une raison pour écarter.",
    "action.approve": "Approuver", "action.reject": "Renvoyer", "action.reject_reason": "Raison (pour renvoyer)",
    "action.reject_reason_needed": "Indiquez ce qui doit changer avant de fermer.",
    "review.pending": "{0} demande de {1} cette tâche ({2}). Une deuxième personne doit approuver ou renvoyer.",
    "review.self": "Vous avez fait la demande : une autre personne doit l'approuver.",
    "review.done": "Fermeture approuvée par {0} ({1}).", "review.resolve": "résoudre", "review.dismiss": "écarter",
    "sla.ok": "Dans les temps", "sla.at_risk": "Bientôt dû", "sla.breached": "En retard", "sla.paused": "En pause",
    "sla.met": "Respecté", "sla.none": "Sans échéance", "sla.left": "reste {0}", "sla.late": "retard {0}",
    "state.new": "Nouveau", "state.assigned": "Assigné", "state.acknowledged": "Pris en charge", "state.waiting": "En attente",
    "state.resolved": "Résolu", "state.dismissed": "Écarté", "state.reopened": "Rouvert", "state.pending_review": "À relire",
    "severity.critical": "Critique", "severity.high": "Élevée", "severity.normal": "Normale", "severity.low": "Faible",
    "case.back": "← Retour à la file", "case.posts": "Publications (ordre du fil)", "case.tasks": "Tâches par équipe",
    "case.notes": "Notes", "case.add_note": "Nouvelle note", "case.relabel": "Étiquettes", "case.audit": "Historique",
    "case.original": "Voir l'original", "case.evidence": "Preuves", "case.no_notes": "Aucune note.",
    "case.deadlines": "Échéances", "case.assignee": "Responsable", "case.nobody": "personne",
    "case.changed": "Quelqu'un d'autre a modifié ce cas (version {0}). Rechargez avant d'agir.",
    "case.reload": "Recharger", "case.review": "Cas à risque élevé : une deuxième personne doit approuver avant de résoudre ou d'écarter.",
    "case.restricted": "Accès restreint", "case.copy": "en copie", "case.owner": "responsable",
    "audit.at": "Quand", "audit.actor": "Qui", "audit.action": "Ce qui s'est passé",
    "draft.title": "Réfléchissez avant de poster",
    "draft.intro": "Collez le brouillon de votre publication : Vigie montre ce qu'il signalerait, pourquoi, et ce que dit la politique.",
    "draft.privacy": "Rien de ce que vous tapez ici n'est conservé.", "draft.text": "Brouillon",
    "draft.auto": "Détection automatique", "draft.check": "Vérifier", "draft.result": "Ce que Vigie en pense",
    "draft.clean": "Rien à signaler. Relisez quand même : une publication peut rester en ligne pour toujours.",
    "draft.flagged": { one: "{0} point à revoir avant de publier.", other: "{0} points à revoir avant de publier." }, "draft.unavailable": "La vérification n'est pas disponible sur ce serveur.",
    "draft.guidance": "Ce que dit la politique", "draft.score": "confiance {0}",
    "error.generic": "Erreur : {0}", "error.network": "Le serveur ne répond pas. Réessayez.",
    "error.403": "Votre rôle ou vos équipes ne permettent pas cette action.", "error.404": "Introuvable : peut-être supprimé, ou hors de vos équipes.",
    "error.503": "Service momentanément indisponible (base de données). Réessayez dans quelques secondes.",
    "error.409": "quelqu'un d'autre a modifié ce cas entre-temps ; rechargez.",
    "role.viewer": "lecture seule", "role.agent": "agent", "role.lead": "chef d'équipe", "role.admin": "administrateur",
    "source.mention": "mention", "source.staff": "publication d'employé", "case.policy": "politique de délais : {0}",
    "milestone.first_response": "Première réponse", "milestone.next_response": "Réponse suivante", "milestone.resolution": "Résolution",
    "why.due": "Échéance {0}", "punct.colon": " : ", "punct.semicolon": " ; ", "why.paused": "Délai en pause",
    "why.received": "reçu {0}", "why.budget.business": "délai de {0} en heures ouvrables (heure de {1})",
    "why.budget.clock": "délai de {0} en continu, jour et nuit (heure de {1})",
    "why.budget_days": { one: "délai de {0} jour ouvrable : jusqu'à la fermeture du {0}er jour ouvert suivant", other: "délai de {0} jours ouvrables : jusqu'à la fermeture du {0}e jour ouvert suivant" },
    "why.counted": "{0} comptées {1}–{2}", "why.stopped_for": "horloge arrêtée {0} (en attente ou fermé)",
    "why.closed": "fermé {0} ({1})", "why.pauses": { one: "plus {0} pause pendant l'attente", other: "plus {0} pauses pendant l'attente" },
    "why.stopped_since": "horloge arrêtée depuis {0} (en attente)", "why.stopped_now": "horloge arrêtée (en attente)",
    "why.reason.weekend": "fin de semaine", "why.reason.closed": "jour fermé", "why.reason.closed_day": "jour de fermeture", "why.reason.holiday": "férié : {0}",
    "unit.min": "{0} min", "unit.h": "{0} h", "unit.hmin": "{0} h {1}", "unit.d": { one: "{0} jour", other: "{0} jours" },
    "unit.bd": { one: "{0} jour ouvrable", other: "{0} jours ouvrables" },
    "weekdays": "lun.,mar.,mer.,jeu.,ven.,sam.,dim.",
    "ev.found": "Ce qui a été trouvé", "ev.weighed": "Aussi pris en compte par le modèle",
    "ev.model_score": "Le modèle estime ce sujet probable à {0}.", "ev.in_context": "« {0} »",
    "ev.where.bio": "dans la bio de l'auteur", "ev.where.place": "dans la géolocalisation", "ev.where.media": "dans les médias joints",
    "audit.system": "Vigie", "audit.sla-clock": "Horloge des délais",
    "audit.task_opened": "Tâche ouverte pour l'équipe {0}.", "audit.post_added": "Nouvelle publication ajoutée au fil.",
    "audit.assign": "Tâche « {0} » assignée à {1}.", "audit.reassign": "Tâche « {0} » confiée à {1} ({2}).", "audit.away": "{0} est absent",
    "audit.acknowledge": "Tâche « {0} » prise en charge.", "audit.wait": "Tâche « {0} » mise en attente.", "audit.resume": "Tâche « {0} » reprise.",
    "audit.resolve": "Tâche « {0} » résolue.", "audit.ask_resolve": "Tâche « {0} » : résolution demandée, en attente d'une deuxième personne.",
    "audit.ask_dismiss": "Tâche « {0} » : demande d'écarter (« {1} »), en attente d'une deuxième personne.", "audit.dismiss": "Tâche « {0} » écartée : « {1} ».",
    "audit.reopen": "Tâche « {0} » rouverte.", "audit.approve": "Fermeture de la tâche « {0} » approuvée.", "audit.reject": "Tâche « {0} » renvoyée : « {1} ».",
    "audit.note": "Note : « {0} »", "audit.relabel": "Étiquettes corrigées : {0} → {1}.",
    "audit.escalation": "Délai dépassé pour la tâche « {0} » : {1}.", "audit.esc.notify_assignee": "responsable prévenu",
    "audit.esc.notify_lead": "chef d'équipe prévenu", "audit.esc.reassign": "tâche réassignée", "audit.esc.raise_severity": "gravité relevée",
    "audit.state": "État : {0} → {1}.", "audit.other": "{0}.", "audit.nobody": "personne", "audit.none": "aucune",
    "settings.title": "Réglages", "settings.users": "Utilisateurs", "settings.teams": "Équipes et membres",
    "settings.tokens": "Jetons d'API", "settings.links": "Liens de vérification de brouillon",
    "settings.username": "Nom d'utilisateur", "settings.password": "Mot de passe (12 caractères ou plus, difficile à deviner)",
    "settings.role": "Rôle", "settings.user_teams": "Équipes", "settings.member": "Membre de l'équipe (identifiant)",
    "settings.create_user": "Créer l'utilisateur", "settings.save": "Enregistrer", "settings.active": "Actif",
    "settings.deactivate": "Désactiver", "settings.activate": "Réactiver", "settings.reset": "Nouveau mot de passe",
    "settings.reset_done": "Mot de passe changé pour {0}.", "settings.created": "Utilisateur {0} créé.", "settings.saved": "Enregistré.",
    "settings.inactive": "désactivé", "settings.presence": "Présence", "settings.capacity": "Capacité",
    "settings.load": "Tâches ouvertes", "settings.lead": "chef d'équipe",
    "settings.new_id": "Identifiant du membre", "settings.new_name": "Nom", "settings.new_capacity": "Capacité (tâches ouvertes)",
    "settings.add_member": "Ajouter le membre", "settings.add_member_to": "Ajouter un membre à l'équipe {0}",
    "case.dismissed_because": "Écartée : {0}", "case.relabeled": "étiquettes corrigées, la tâche ne s'applique plus",
    "presence.available": "Disponible", "presence.away": "Absent",
    "settings.token_name": "Nom du jeton (à quoi il sert)",
    "settings.create_token": "Créer le jeton", "settings.token_shown": "Copiez ce jeton maintenant, il ne sera plus affiché : {0}",
    "settings.revoke": "Révoquer", "settings.revoked": "révoqué", "settings.no_tokens": "Aucun jeton d'API.",
    "settings.token_created": "Créé le", "settings.token_owner": "Utilisateur",
    "settings.links_intro": "Un lien signé ouvre la vérification de brouillon à un employé du registre, sans compte dans la file. Le brouillon n'est jamais conservé.",
    "settings.employee": "Employé", "settings.days": "Valide (jours)", "settings.create_link": "Créer le lien",
    "settings.link_ready": "Lien pour {0}, valide jusqu'au {1} :", "settings.not_admin": "Seuls les administrateurs ont accès aux réglages.",
    "draft.hello": "Vérification pour {0}. Le lien expire le {1}.", "draft.link_invalid": "Ce lien n'est plus valide. Demandez-en un nouveau à un administrateur.",
    "draft.where": "trouvé {0}",
    "stories.title": "Rumeurs en circulation", "stories.empty": "Aucune rumeur en cours.",
    "stories.claim": "Affirmation", "stories.volume": "Publications", "stories.reach": "Portée",
    "stories.last": "Dernière publication", "stories.back": "Retour à la file", "stories.case": "Cas de l'équipe : n° {0}",
    "stories.terms": "Ce qui les relie", "stories.history": "Historique", "stories.by_hour": "Publications par heure",
    "stories.posts": "Publications de la rumeur", "stories.shared": "en commun : {0}", "stories.gone": "Publication retirée (conservation).",
    "stories.set_state": "Changer l'état", "stories.answer_url": "Lien vers la réponse officielle",
    "stories.save": "Enregistrer", "stories.answer": "Réponse officielle", "stories.first": "Première publication",
    "story.emerging": "Émergente", "story.spreading": "Se propage", "story.addressed": "Réponse publiée",
    "story.debunked": "Démentie", "story.closed": "Classée",
  },
  en: {
    "nav.skip": "Skip to content", "nav.queue": "Queue", "nav.draft": "Think before you post",
    "nav.logout": "Log out", "nav.lang": "Français", "nav.user": "Signed in: {0} ({1})", "nav.settings": "Settings",
    "login.intro": "Sign in to work the queue.", "login.username": "Username",
    "login.password": "Password", "login.submit": "Sign in", "login.failed": "Wrong username or password.",
    "queue.title": "Case queue", "queue.scopes": "Queues", "queue.mine": "My queue", "queue.all": "All my cases",
    "queue.team": "Team {0}", "queue.empty": "No case matches.", "queue.more": "Show more",
    "queue.keys": "Keyboard: j / k to move, Enter to open, x to select, / to search.",
    "queue.new": "Unseen", "queue.updated": "Changed", "queue.refreshed": "Queue refreshed.",
    "filter.label": "Label", "filter.severity": "Severity", "filter.state": "State", "filter.sla": "Deadline",
    "filter.lang": "Language", "filter.platform": "Platform", "filter.search": "Search", "filter.sort": "Sort",
    "filter.any": "Any", "sort.deadline": "Nearest deadline", "sort.opened": "Oldest first",
    "sort.-opened": "Newest first", "sort.-updated": "Recently updated",
    "col.case": "Case", "col.labels": "Labels", "col.summary": "Post", "col.owner": "Team · assignee",
    "col.state": "State", "col.sla": "Deadline",
    "bulk.title": "Bulk actions", "bulk.select_all": "Select all", "bulk.selected": { one: "{0} case selected", other: "{0} cases selected" },
    "bulk.done": "Done: {0}. Refused: {1}.", "bulk.none": "Select at least one case.",
    "action.acknowledge": "Acknowledge", "action.assign": "Assign", "action.assign_me": "Assign to me",
    "action.wait": "Wait", "action.resume": "Resume", "action.resolve": "Resolve",
    "action.dismiss": "Dismiss", "action.reopen": "Reopen", "action.note": "Add note",
    "action.relabel": "Correct the labels", "action.reason": "Reason (to dismiss)", "action.done": "Done.",
    "action.reason_needed": "Give a reason to dismiss.",
    "action.approve": "Approve", "action.reject": "Send back", "action.reject_reason": "Reason (to send back)",
    "action.reject_reason_needed": "Say what must change before closing.",
    "review.pending": "{0} asked to {1} this task ({2}). A second person must approve it or send it back.",
    "review.self": "You asked for it: someone else must approve it.",
    "review.done": "Closing approved by {0} ({1}).", "review.resolve": "resolve", "review.dismiss": "dismiss",
    "sla.ok": "On time", "sla.at_risk": "Due soon", "sla.breached": "Overdue", "sla.paused": "Paused",
    "sla.met": "Met", "sla.none": "No deadline", "sla.left": "{0} left", "sla.late": "{0} late",
    "state.new": "New", "state.assigned": "Assigned", "state.acknowledged": "Acknowledged", "state.waiting": "Waiting",
    "state.resolved": "Resolved", "state.dismissed": "Dismissed", "state.reopened": "Reopened", "state.pending_review": "Pending review",
    "severity.critical": "Critical", "severity.high": "High", "severity.normal": "Normal", "severity.low": "Low",
    "case.back": "← Back to the queue", "case.posts": "Posts (thread order)", "case.tasks": "Tasks per team",
    "case.notes": "Notes", "case.add_note": "New note", "case.relabel": "Labels", "case.audit": "Audit trail",
    "case.original": "See the original", "case.evidence": "Evidence", "case.no_notes": "No notes yet.",
    "case.deadlines": "Deadlines", "case.assignee": "Assignee", "case.nobody": "nobody",
    "case.changed": "Someone else changed this case (version {0}). Reload before acting.",
    "case.reload": "Reload", "case.review": "High-risk case: a second person must approve before it is resolved or dismissed.",
    "case.restricted": "Restricted", "case.copy": "in copy", "case.owner": "owner",
    "audit.at": "When", "audit.actor": "Who", "audit.action": "What happened",
    "draft.title": "Think before you post",
    "draft.intro": "Paste the draft of your post: Vigie shows what it would flag, why, and what the policy says.",
    "draft.privacy": "Nothing you type here is stored.", "draft.text": "Draft",
    "draft.auto": "Detect automatically", "draft.check": "Check", "draft.result": "What Vigie sees",
    "draft.clean": "Nothing flagged. Read it once more anyway: a post can stay online forever.",
    "draft.flagged": { one: "{0} point to review before posting.", other: "{0} points to review before posting." }, "draft.unavailable": "The check is not available on this server.",
    "draft.guidance": "What the policy says", "draft.score": "confidence {0}",
    "error.generic": "Error: {0}", "error.network": "The server does not answer. Try again.",
    "error.403": "Your role or teams do not allow this.", "error.404": "Not found: perhaps removed, or outside your teams.",
    "error.503": "Temporarily unavailable (database). Try again in a few seconds.",
    "error.409": "someone else changed this case meanwhile; reload.",
    "role.viewer": "read only", "role.agent": "agent", "role.lead": "team lead", "role.admin": "administrator",
    "source.mention": "mention", "source.staff": "employee post", "case.policy": "deadline policy: {0}",
    "milestone.first_response": "First response", "milestone.next_response": "Next response", "milestone.resolution": "Resolution",
    "why.due": "Due {0}", "punct.colon": ": ", "punct.semicolon": "; ", "why.paused": "Deadline paused",
    "why.received": "received {0}", "why.budget.business": "budget of {0} in business hours ({1} time)",
    "why.budget.clock": "budget of {0} around the clock ({1} time)",
    "why.budget_days": { one: "budget of {0} business day: until closing of the next open day", other: "budget of {0} business days: until closing of open day number {0} after" },
    "why.counted": "{0} counted {1}–{2}", "why.stopped_for": "clock stopped {0} (waiting or closed)",
    "why.closed": "closed {0} ({1})", "why.pauses": { one: "plus {0} pause while waiting", other: "plus {0} pauses while waiting" },
    "why.stopped_since": "clock stopped since {0} (waiting)", "why.stopped_now": "clock stopped (waiting)",
    "why.reason.weekend": "weekend", "why.reason.closed": "closed day", "why.reason.closed_day": "office closed", "why.reason.holiday": "holiday: {0}",
    "unit.min": "{0} min", "unit.h": "{0} h", "unit.hmin": "{0} h {1}", "unit.d": { one: "{0} day", other: "{0} days" },
    "unit.bd": { one: "{0} business day", other: "{0} business days" },
    "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
    "ev.found": "What was found", "ev.weighed": "Also weighed by the model",
    "ev.model_score": "The model rates this topic likely at {0}.", "ev.in_context": "“{0}”",
    "ev.where.bio": "in the author's bio", "ev.where.place": "in the geotag", "ev.where.media": "in the attached media",
    "audit.system": "Vigie", "audit.sla-clock": "Deadline clock",
    "audit.task_opened": "Task opened for team {0}.", "audit.post_added": "New post added to the thread.",
    "audit.assign": "{0} task assigned to {1}.", "audit.reassign": "{0} task handed to {1} ({2}).", "audit.away": "{0} is away",
    "audit.acknowledge": "{0} task acknowledged.", "audit.wait": "{0} task put on hold.", "audit.resume": "{0} task resumed.",
    "audit.resolve": "{0} task resolved.", "audit.ask_resolve": "{0} task: resolution asked for, waiting for a second person.",
    "audit.ask_dismiss": "{0} task: asked to dismiss (“{1}”), waiting for a second person.", "audit.dismiss": "{0} task dismissed: “{1}”.",
    "audit.reopen": "{0} task reopened.", "audit.approve": "Closing of the {0} task approved.", "audit.reject": "{0} task sent back: “{1}”.",
    "audit.note": "Note: “{0}”", "audit.relabel": "Labels corrected: {0} → {1}.",
    "audit.escalation": "Deadline missed on the {0} task: {1}.", "audit.esc.notify_assignee": "assignee notified",
    "audit.esc.notify_lead": "team lead notified", "audit.esc.reassign": "task reassigned", "audit.esc.raise_severity": "severity raised",
    "audit.state": "State: {0} → {1}.", "audit.other": "{0}.", "audit.nobody": "nobody", "audit.none": "none",
    "settings.title": "Settings", "settings.users": "Users", "settings.teams": "Teams and members",
    "settings.tokens": "API tokens", "settings.links": "Draft check links",
    "settings.username": "Username", "settings.password": "Password (12 characters or more, hard to guess)",
    "settings.role": "Role", "settings.user_teams": "Teams", "settings.member": "Team member (id)",
    "settings.create_user": "Create the user", "settings.save": "Save", "settings.active": "Active",
    "settings.deactivate": "Deactivate", "settings.activate": "Reactivate", "settings.reset": "New password",
    "settings.reset_done": "Password changed for {0}.", "settings.created": "User {0} created.", "settings.saved": "Saved.",
    "settings.inactive": "deactivated", "settings.presence": "Presence", "settings.capacity": "Capacity",
    "settings.load": "Open tasks", "settings.lead": "team lead",
    "settings.new_id": "Member id", "settings.new_name": "Name", "settings.new_capacity": "Capacity (open tasks)",
    "settings.add_member": "Add the member", "settings.add_member_to": "Add a member to team {0}",
    "case.dismissed_because": "Dismissed: {0}", "case.relabeled": "labels corrected, the task no longer applies",
    "presence.available": "Available", "presence.away": "Away",
    "settings.token_name": "Token name (what it is for)",
    "settings.create_token": "Create the token", "settings.token_shown": "Copy this token now, it will not be shown again: {0}",
    "settings.revoke": "Revoke", "settings.revoked": "revoked", "settings.no_tokens": "No API tokens.",
    "settings.token_created": "Created", "settings.token_owner": "User",
    "settings.links_intro": "A signed link opens the draft check to an employee of the roster, with no queue account. The draft is never stored.",
    "settings.employee": "Employee", "settings.days": "Valid (days)", "settings.create_link": "Create the link",
    "settings.link_ready": "Link for {0}, valid until {1}:", "settings.not_admin": "Only administrators can open the settings.",
    "draft.hello": "Check for {0}. The link expires on {1}.", "draft.link_invalid": "This link is no longer valid. Ask an administrator for a new one.",
    "draft.where": "found {0}",
    "stories.title": "Rumours going around", "stories.empty": "No rumour going around.",
    "stories.claim": "Claim", "stories.volume": "Posts", "stories.reach": "Reach",
    "stories.last": "Latest post", "stories.back": "Back to the queue", "stories.case": "Team's case: #{0}",
    "stories.terms": "What ties them", "stories.history": "History", "stories.by_hour": "Posts per hour",
    "stories.posts": "Posts of the rumour", "stories.shared": "shared: {0}", "stories.gone": "Post removed (retention).",
    "stories.set_state": "Change the state", "stories.answer_url": "Link to the official answer",
    "stories.save": "Save", "stories.answer": "Official answer", "stories.first": "First post",
    "story.emerging": "Emerging", "story.spreading": "Spreading", "story.addressed": "Answered",
    "story.debunked": "Debunked", "story.closed": "Closed",
  },
};

export const LABELS = {
  complaint: { fr: "Plainte", en: "Complaint" },
  press_inquiry: { fr: "Demande des médias", en: "Press inquiry" },
  rumour: { fr: "Rumeur", en: "Rumour" },
  risky_disclosure: { fr: "Divulgation à risque", en: "Risky disclosure" },
  investor_sensitive: { fr: "Sensible pour les investisseurs", en: "Investor-sensitive" },
  copyright: { fr: "Droit d'auteur", en: "Copyright" },
  harassment: { fr: "Intimidation", en: "Harassment" },
  security_threat: { fr: "Menace de sécurité", en: "Security threat" },
  personal_data_exposed: { fr: "Données personnelles exposées", en: "Personal data exposed" },
  missing_disclaimer: { fr: "Avertissement manquant", en: "Missing disclaimer" },
  triage: { fr: "Tri", en: "Triage" },
};

// What each detector looks for, as a reader would say it.
export const DETECTORS = {
  keywords: { fr: "Expression repérée", en: "Phrase spotted" },
  email: { fr: "Adresse courriel", en: "Email address" },
  phone: { fr: "Numéro de téléphone", en: "Phone number" },
  payment_card: { fr: "Numéro de carte de paiement", en: "Payment card number" },
  iban: { fr: "Numéro de compte bancaire (IBAN)", en: "Bank account number (IBAN)" },
  canada_sin: { fr: "Numéro d'assurance sociale", en: "Social insurance number" },
  france_nir: { fr: "Numéro de sécurité sociale français", en: "French social security number" },
  us_ssn: { fr: "Numéro de sécurité sociale américain", en: "US social security number" },
  ip_address: { fr: "Adresse IP", en: "IP address" },
  postal_address: { fr: "Adresse postale", en: "Street address" },
  person_name: { fr: "Nom d'une personne", en: "Person's name" },
  roster: { fr: "Nom d'un employé", en: "Employee's name" },
  secrets: { fr: "Mot de passe ou clé secrète", en: "Password or secret key" },
  location: { fr: "Lieu où se trouve quelqu'un", en: "Where someone is" },
  confidentiality: { fr: "Mention de confidentialité", en: "Confidentiality marker" },
  copyright: { fr: "Contenu repris sans crédit", en: "Content reused without credit" },
  disclaimer: { fr: "Avis « opinions personnelles » manquant", en: "Missing “my own opinions” disclaimer" },
  model: { fr: "Modèle de classement", en: "Classification model" },
};

export function detectorName(detector) {
  return DETECTORS[detector]?.[currentLang()] ?? detector;
}

// Team and label names from the brand configuration (GET /api/names), over the built-in ones.
let names = { teams: {}, labels: {} };

export async function loadNames() {
  try {
    const response = await fetch("/api/names", { headers: { Accept: "application/json" } });
    if (response.ok) names = await response.json();
  } catch { /* the ids and built-in names stay */ }
}

export function currentLang() {
  const chosen = localStorage.getItem("vigie.lang");
  if (chosen === "fr" || chosen === "en") return chosen;
  return (navigator.language || "fr").toLowerCase().startsWith("en") ? "en" : "fr";
}

// A string of the current language; {0}, {1}... are the arguments. A string given as
// { one, other } is chosen by the plural rule of the language for the first argument.
export function t(key, ...args) {
  const lang = currentLang();
  let text = STRINGS[lang][key] ?? STRINGS.fr[key] ?? key;
  if (typeof text === "object") text = text[new Intl.PluralRules(lang).select(Number(args[0]))] ?? text.other;
  return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ""));
}

export function labelName(label) {
  return names.labels?.[label]?.[currentLang()] ?? LABELS[label]?.[currentLang()] ?? label;
}

export function teamName(team) {
  return names.teams?.[team]?.[currentLang()] ?? team;
}

// Every string of one language, for tests that look for words of the other one on a page.
export function dictionary(lang) {
  const values = Object.values(STRINGS[lang]).flatMap((v) => (typeof v === "object" ? Object.values(v) : [v]));
  return values.concat(Object.values(LABELS).map((l) => l[lang]), Object.values(DETECTORS).map((d) => d[lang]));
}

export function applyI18n(root = document) {
  document.documentElement.lang = currentLang();
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll("[data-lang-switch]").forEach((el) => {
    el.textContent = t("nav.lang");
    el.onclick = () => { localStorage.setItem("vigie.lang", currentLang() === "fr" ? "en" : "fr"); location.reload(); };
  });
}
